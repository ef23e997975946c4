import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { encodeEvent } from "../../events/contract";
import { createKinesisClient } from "../../lambda/ingest/kinesis-client";
import {
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_RECORDS,
  chunkRecords,
  putEvents,
} from "../../lambda/ingest/put-events";
import {
  TEST_REGION,
  createStream,
  injectRecordFailures,
  readAllEvents,
  sampleEvent,
  startKinesis,
  type LocalKinesis,
} from "./kinesis-helpers";

const STREAM = "put-events";
let kinesis: LocalKinesis;
const clients: KinesisClient[] = [];

/** A client of its own, so failure injection stays within one test. */
function freshClient(): KinesisClient {
  const client = createKinesisClient({ region: TEST_REGION, endpoint: kinesis.endpoint });
  clients.push(client);
  return client;
}

async function storedFor(devices: ReadonlySet<string>) {
  return (await readAllEvents(kinesis.client, STREAM)).filter(({ partitionKey }) =>
    devices.has(partitionKey),
  );
}

beforeAll(async () => {
  kinesis = await startKinesis();
  await createStream(kinesis.client, STREAM, 4);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await kinesis.close();
});

describe("putEvents against kinesalite", () => {
  it("writes every event once, keyed by device, in chunks of at most 500", async () => {
    const client = freshClient();
    const injection = injectRecordFailures(client, () => false);
    const events = Array.from({ length: 503 }, (_, index) => sampleEvent({ magnitude: index }));

    const result = await putEvents(client, STREAM, events);

    expect(result).toEqual({ accepted: 503, rejected: [], attempts: 1 });
    expect(injection.calls.map((call) => call.length)).toEqual([500, 3]);
    const stored = await storedFor(new Set(events.map((event) => event.device)));
    expect(stored).toHaveLength(503);
    for (const { partitionKey, event } of stored) expect(event.device).toBe(partitionKey);
    expect(stored.map(({ event }) => event.magnitude as number).sort((a, b) => a - b)).toEqual(
      events.map((_, index) => index),
    );
  });

  it("retries only the records that failed inside an accepted call", async () => {
    const client = freshClient();
    const events = Array.from({ length: 10 }, (_, index) => sampleEvent({ magnitude: index }));
    const unlucky = new Set([1, 4, 5, 9].map((index) => encodeEvent(events[index])));
    const injection = injectRecordFailures(client, (body, call) => call === 1 && unlucky.has(body));
    const retries: unknown[] = [];

    const result = await putEvents(client, STREAM, events, {
      baseDelayMs: 1,
      onRetry: (retry) => retries.push(retry),
    });

    expect(result).toEqual({ accepted: 10, rejected: [], attempts: 2 });
    expect(injection.calls).toHaveLength(2);
    expect(injection.calls[0]).toHaveLength(10);
    expect(new Set(injection.calls[1])).toEqual(unlucky);
    expect(injection.calls[1]).toHaveLength(4);
    expect(retries).toEqual([
      expect.objectContaining({
        attempt: 2,
        records: 4,
        errorCodes: { ProvisionedThroughputExceededException: 4 },
      }),
    ]);
    const stored = await storedFor(new Set(events.map((event) => event.device)));
    expect(stored.map(({ event }) => event.magnitude).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("reports records that keep failing as rejected, by index, after the last attempt", async () => {
    const client = freshClient();
    const events = Array.from({ length: 6 }, (_, index) => sampleEvent({ magnitude: index }));
    const doomed = new Set([encodeEvent(events[2]), encodeEvent(events[3])]);
    const injection = injectRecordFailures(client, (body) => doomed.has(body));

    const result = await putEvents(client, STREAM, events, { maxAttempts: 3, baseDelayMs: 1 });

    expect(result.accepted).toBe(4);
    expect(result.attempts).toBe(3);
    expect(result.rejected).toEqual([
      {
        index: 2,
        errorCode: "ProvisionedThroughputExceededException",
        errorMessage: "Rate exceeded for shard (injected)",
      },
      {
        index: 3,
        errorCode: "ProvisionedThroughputExceededException",
        errorMessage: "Rate exceeded for shard (injected)",
      },
    ]);
    expect(injection.calls.map((call) => call.length)).toEqual([6, 2, 2]);
    const stored = await storedFor(new Set(events.map((event) => event.device)));
    expect(stored.map(({ event }) => event.magnitude).sort()).toEqual([0, 1, 4, 5]);
  });

  it("rejects every record of a call that fails outright, without retrying it", async () => {
    const client = freshClient();
    const events = [sampleEvent(), sampleEvent()];

    const result = await putEvents(client, "no-such-stream", events, { baseDelayMs: 1 });

    expect(result.accepted).toBe(0);
    expect(result.attempts).toBe(1);
    expect(result.rejected.map(({ index, errorCode }) => ({ index, errorCode }))).toEqual([
      { index: 0, errorCode: "ResourceNotFoundException" },
      { index: 1, errorCode: "ResourceNotFoundException" },
    ]);
  });

  it("names a network failure by its code", async () => {
    // What Node raises for a refused connection (jest's separate realm hides the real one behind a wrapper).
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4567"), { code: "ECONNREFUSED" });
    const unreachable = { send: () => Promise.reject(refused) } as unknown as KinesisClient;

    const result = await putEvents(unreachable, STREAM, [sampleEvent()]);

    expect(result.rejected).toEqual([
      { index: 0, errorCode: "ECONNREFUSED", errorMessage: "connect ECONNREFUSED 127.0.0.1:4567" },
    ]);
  });
});

describe("chunkRecords", () => {
  const record = (bytes: number) => ({ data: new Uint8Array(bytes), partitionKey: "client-abcdef" });

  it("cuts at the record limit and at the byte limit (data plus partition key), keeping order", () => {
    const byCount = chunkRecords(
      Array.from({ length: 1001 }, () => record(10)),
      {
        maxRecords: PUT_RECORDS_MAX_RECORDS,
        maxBytes: PUT_RECORDS_MAX_BYTES,
      },
    );
    expect(byCount.map((chunk) => chunk.length)).toEqual([500, 500, 1]);

    // 13-byte keys: three 37-byte records fit in 150 bytes, a fourth would not.
    const byBytes = chunkRecords(
      Array.from({ length: 7 }, () => record(37)),
      { maxRecords: 500, maxBytes: 150 },
    );
    expect(byBytes.map((chunk) => chunk.length)).toEqual([3, 3, 1]);
  });
});
