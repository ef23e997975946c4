import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent } from "node:https";
import { Agent as HttpAgent } from "node:http";

export interface KinesisClientOptions {
  /** AWS region; the SDK's own resolution (AWS_REGION, profile) applies when omitted. */
  readonly region?: string;
  /** Another Kinesis endpoint, e.g. a local emulator: `http://127.0.0.1:4567`. */
  readonly endpoint?: string;
  /** Sockets kept per host: bounds parallel calls from one process. @default 50 */
  readonly maxSockets?: number;
}

/**
 * A Kinesis client on HTTP/1.1 with keep-alive. The SDK's default handler for Kinesis speaks HTTP/2,
 * which local emulators do not; HTTP/1.1 with reused sockets is also what keeps per-call latency low.
 */
export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  const { region, endpoint, maxSockets = 50 } = options;
  return new KinesisClient({
    region,
    endpoint,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets }),
      // A PutRecords call takes milliseconds; these bound a stuck one so that the SDK's three attempts
      // fit in the ingest Lambda's 10 s timeout.
      connectionTimeout: 1000,
      requestTimeout: 3000,
    }),
  });
}
