import { DEFAULT_BOUNDS, type ContractBounds } from "../../events/contract";

/** What the ingest Lambda reads from its environment, once per container. */
export interface IngestSettings {
  /** `STREAM_NAME` (required): the Kinesis stream events go to. */
  readonly streamName: string;
  /** `MAX_BODY_BYTES`: largest accepted request body, after base64 decoding. @default 1048576 (1 MiB) */
  readonly maxBodyBytes: number;
  /** `MAX_BATCH_RECORDS`: most events in one request. @default 500 (one PutRecords call) */
  readonly maxBatchRecords: number;
  /** `PUT_MAX_ATTEMPTS`: PutRecords attempts per record, the first included. @default 4 */
  readonly putMaxAttempts: number;
  /** `PUT_BASE_DELAY_MS`: backoff before the first retry, doubling up to 1 s. @default 50 */
  readonly putBaseDelayMs: number;
  /** `KINESIS_ENDPOINT`: another Kinesis endpoint (tests, emulators). @default the AWS endpoint of the region */
  readonly kinesisEndpoint?: string;
  /**
   * `MAGNITUDE_MAX`, `MAX_EVENT_AGE_SECONDS`, `MAX_EVENT_AHEAD_SECONDS`: the contract's bounds, from the
   * environment's YAML. @default DEFAULT_BOUNDS (3000; 24 hours; 15 minutes)
   */
  readonly bounds: ContractBounds;
}

// API Gateway HTTP APIs accept at most 10 MB and a synchronous Lambda invocation at most 6 MB.
const BODY_BYTES_CEILING = 6 * 1024 * 1024;
const BATCH_RECORDS_CEILING = 10_000;

/** Reads and checks the settings; a bad value fails the container's start-up with a message naming it. */
export function readIngestSettings(env: NodeJS.ProcessEnv): IngestSettings {
  const streamName = env.STREAM_NAME?.trim();
  if (!streamName) throw new Error("STREAM_NAME must name the Kinesis stream to write to");
  const kinesisEndpoint = env.KINESIS_ENDPOINT?.trim() || undefined;
  if (kinesisEndpoint && !/^https?:\/\/[^\s/]+/.test(kinesisEndpoint)) {
    throw new Error(`KINESIS_ENDPOINT must be an http(s) URL, got ${JSON.stringify(kinesisEndpoint)}`);
  }
  return {
    streamName,
    maxBodyBytes: integerSetting(env, "MAX_BODY_BYTES", 1024 * 1024, 1024, BODY_BYTES_CEILING),
    maxBatchRecords: integerSetting(env, "MAX_BATCH_RECORDS", 500, 1, BATCH_RECORDS_CEILING),
    putMaxAttempts: integerSetting(env, "PUT_MAX_ATTEMPTS", 4, 1, 10),
    putBaseDelayMs: integerSetting(env, "PUT_BASE_DELAY_MS", 50, 1, 5000),
    kinesisEndpoint,
    bounds: {
      magnitudeMax: integerSetting(env, "MAGNITUDE_MAX", DEFAULT_BOUNDS.magnitudeMax, 1, 1_000_000),
      maxAgeMs:
        1000 * integerSetting(env, "MAX_EVENT_AGE_SECONDS", DEFAULT_BOUNDS.maxAgeMs / 1000, 60, 31_536_000),
      maxAheadMs:
        1000 * integerSetting(env, "MAX_EVENT_AHEAD_SECONDS", DEFAULT_BOUNDS.maxAheadMs / 1000, 0, 86_400),
    },
  };
}

function integerSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
