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
    // A PutRecords call takes milliseconds; a stuck one must fail while the ingest Lambda (10 s timeout)
    // can still answer. Each attempt gets 3 s to answer, counted from the start (connecting alone may take
    // 1 s), so two attempts plus the SDK's sub-second backoff end within 7 s. putEvents itself retries
    // the records Kinesis refuses, so the SDK needs only one retry, for calls that fail outright.
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: 1000,
      requestTimeout: 3000,
      // Without it the handler only logs a warning when requestTimeout passes and the call goes on.
      throwOnRequestTimeout: true,
    }),
  });
}
