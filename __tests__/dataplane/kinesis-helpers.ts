import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  type PutRecordsResultEntry,
} from "@aws-sdk/client-kinesis";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { newDeviceId, type DeviceEvent } from "../../events/contract";
import { createKinesisClient } from "../../lambda/ingest/kinesis-client";

// kinesalite checks that requests are signed, not by whom.
process.env.AWS_ACCESS_KEY_ID ??= "test";
process.env.AWS_SECRET_ACCESS_KEY ??= "test";
export const TEST_REGION = "us-east-1";

export interface LocalKinesis {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  readonly client: KinesisClient;
  close(): Promise<void>;
}

interface Kinesalite {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: () => void): void;
}

/** An in-memory kinesalite on 127.0.0.1 and an ephemeral port. */
export async function startKinesis(): Promise<LocalKinesis> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- kinesalite ships no types or ES module
  const kinesalite = require("kinesalite") as (options: object) => Kinesalite & Server;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) =>
    server.listen(0, "127.0.0.1", (error) => (error ? reject(error) : resolve())),
  );
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createKinesisClient({ region: TEST_REGION, endpoint });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates a stream and waits (boundedly) until it is ACTIVE. */
export async function createStream(client: KinesisClient, streamName: string, shardCount = 2): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    if (StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

export interface StoredRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly sequenceNumber: string;
}

/** Every record in the stream, shard by shard from TRIM_HORIZON, in sequence order within a shard. */
export async function readAllRecords(client: KinesisClient, streamName: string): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  for (const { ShardId } of Shards) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }),
    );
    let iterator = ShardIterator;
    // An empty page with no lag behind the tip means the shard has been read to its end.
    for (let page = 0; iterator && page < 1000; page++) {
      const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of output.Records ?? []) {
        records.push({
          shardId: ShardId ?? "",
          partitionKey: record.PartitionKey ?? "",
          data: Buffer.from(record.Data ?? new Uint8Array()).toString("utf8"),
          sequenceNumber: record.SequenceNumber ?? "",
        });
      }
      if ((output.Records ?? []).length === 0 && output.MillisBehindLatest === 0) break;
      iterator = output.NextShardIterator;
    }
  }
  return records;
}

/** Parsed event bodies of every record, each with the partition key it was written under. */
export async function readAllEvents(
  client: KinesisClient,
  streamName: string,
): Promise<Array<{ partitionKey: string; event: Record<string, unknown> }>> {
  const records = await readAllRecords(client, streamName);
  return records.map(({ partitionKey, data }) => ({
    partitionKey,
    event: JSON.parse(data) as Record<string, unknown>,
  }));
}

/** A device event taken now, with a fresh device id unless one is given. */
export function sampleEvent(overrides: Partial<DeviceEvent> = {}): DeviceEvent {
  return { magnitude: 7, time: new Date().toISOString(), device: newDeviceId(), ...overrides };
}

export interface FailureInjection {
  /** Each PutRecords call as the test client made it: the record bodies, in order. */
  readonly calls: string[][];
}

/**
 * Makes some records of a PutRecords call fail the way Kinesis does under throttling: the call succeeds,
 * the failed records carry an ErrorCode and are not written. `shouldFail(body, call)` picks them; `call`
 * counts from 1. The other records really go to the emulator.
 */
export function injectRecordFailures(
  client: KinesisClient,
  shouldFail: (body: string, call: number) => boolean,
): FailureInjection {
  const calls: string[][] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "PutRecordsCommand") return next(args);
      const input = args.input as PutRecordsCommandInput;
      const records = input.Records ?? [];
      const bodies = records.map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString("utf8"));
      calls.push(bodies);
      const failing = bodies.map((body) => shouldFail(body, calls.length));
      const passing = records.filter((_, index) => !failing[index]);

      const written =
        passing.length > 0
          ? await next({ ...args, input: { ...input, Records: passing } })
          : { output: { Records: [], $metadata: {} }, response: {} };
      const writtenOutput = written.output as PutRecordsCommandOutput;
      const writtenEntries = [...(writtenOutput.Records ?? [])];
      const entries: PutRecordsResultEntry[] = failing.map((fails) =>
        fails
          ? {
              ErrorCode: "ProvisionedThroughputExceededException",
              ErrorMessage: "Rate exceeded for shard (injected)",
            }
          : (writtenEntries.shift() ?? {}),
      );
      const output: PutRecordsCommandOutput = {
        ...writtenOutput,
        Records: entries,
        FailedRecordCount: failing.filter(Boolean).length,
      };
      return { ...written, output };
    },
    { step: "initialize", name: "injectRecordFailures" },
  );
  return { calls };
}
