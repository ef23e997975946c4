import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { encodeEvent, type DeviceEvent } from "../../events/contract";

/** Kinesis PutRecords limits: records per call, and bytes per call (data plus partition keys). */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

export interface PutEventsOptions {
  /** Calls per record, the first included; only records that failed are sent again. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff before the first retry; it doubles for each later one. @default 50 */
  readonly baseDelayMs?: number;
  /** Cap on one backoff. @default 1000 */
  readonly maxDelayMs?: number;
  /** Told before each retry, e.g. to log it. */
  readonly onRetry?: (retry: RetryNotice) => void;
  /** Added to every record as `received_at` (ISO-8601). @default - not added */
  readonly receivedAt?: string;
}

export interface RetryNotice {
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  readonly records: number;
  /** How many records failed with each error code on the attempt before. */
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly delayMs: number;
}

export interface RejectedEvent {
  /** Position of the event in the list given to putEvents. */
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface PutEventsResult {
  readonly accepted: number;
  /** Events Kinesis did not take after every attempt, in index order. */
  readonly rejected: RejectedEvent[];
  readonly attempts: number;
}

interface PendingRecord {
  readonly index: number;
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

export interface ChunkLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

const KINESIS_LIMITS: ChunkLimits = { maxRecords: PUT_RECORDS_MAX_RECORDS, maxBytes: PUT_RECORDS_MAX_BYTES };
const encoder = new TextEncoder();

/**
 * Writes events to a stream with PutRecords, partition key = device.
 *
 * A PutRecords call can succeed while some of its records fail (per-record ErrorCode, e.g.
 * ProvisionedThroughputExceededException); those records, and only those, are sent again with
 * exponential backoff and jitter. A call that throws (after the SDK's own retries) rejects all of
 * its records without another attempt here: the SDK already retried what was transient.
 * Nothing is dropped silently: every event ends up counted as accepted or listed as rejected.
 */
export async function putEvents(
  client: KinesisClient,
  streamName: string,
  events: readonly DeviceEvent[],
  options: PutEventsOptions = {},
): Promise<PutEventsResult> {
  const { maxAttempts = 4, baseDelayMs = 50, maxDelayMs = 1000, onRetry, receivedAt } = options;
  let pending: PendingRecord[] = events.map((event, index) => ({
    index,
    data: encoder.encode(encodeEvent(event, receivedAt)),
    partitionKey: event.device,
  }));
  const rejected: RejectedEvent[] = [];
  let attempts = 0;

  while (pending.length > 0) {
    attempts += 1;
    const outcomes = await Promise.all(
      chunkRecords(pending, KINESIS_LIMITS).map((chunk) => putChunk(client, streamName, chunk)),
    );
    const failed = outcomes.flatMap((outcome) => outcome.retryable);
    rejected.push(...outcomes.flatMap((outcome) => outcome.final));

    if (failed.length === 0) break;
    if (attempts >= maxAttempts) {
      rejected.push(
        ...failed.map(({ record, errorCode, errorMessage }) => ({
          index: record.index,
          errorCode,
          errorMessage,
        })),
      );
      break;
    }
    const delayMs = backoffDelay(attempts, baseDelayMs, maxDelayMs);
    onRetry?.({
      attempt: attempts + 1,
      records: failed.length,
      errorCodes: countErrorCodes(failed),
      delayMs,
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    pending = failed.map(({ record }) => record);
  }

  rejected.sort((a, b) => a.index - b.index);
  return { accepted: events.length - rejected.length, rejected, attempts };
}

/** Splits records, in order, into calls that respect both PutRecords limits. */
export function chunkRecords<T extends { data: Uint8Array; partitionKey: string }>(
  records: readonly T[],
  limits: ChunkLimits,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const record of records) {
    // Partition keys are device ids, ASCII by contract: one byte per character.
    const size = record.data.byteLength + record.partitionKey.length;
    if (
      current.length > 0 &&
      (current.length === limits.maxRecords || currentBytes + size > limits.maxBytes)
    ) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(record);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

interface FailedRecord {
  readonly record: PendingRecord;
  readonly errorCode: string;
  readonly errorMessage: string;
}

interface ChunkOutcome {
  /** Records that failed inside a successful call: worth another attempt. */
  readonly retryable: FailedRecord[];
  /** Records of a call that threw: rejected for good. */
  readonly final: RejectedEvent[];
}

async function putChunk(
  client: KinesisClient,
  streamName: string,
  chunk: PendingRecord[],
): Promise<ChunkOutcome> {
  try {
    const output = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map(({ data, partitionKey }) => ({ Data: data, PartitionKey: partitionKey })),
      }),
    );
    const entries = output.Records ?? [];
    const retryable: FailedRecord[] = [];
    chunk.forEach((record, position) => {
      const entry = entries[position];
      // A missing entry means the response did not confirm the record: treat it as failed, never as written.
      if (!entry || entry.ErrorCode || !entry.SequenceNumber) {
        retryable.push({
          record,
          errorCode: entry?.ErrorCode ?? "MissingResultEntry",
          errorMessage: entry?.ErrorMessage ?? "PutRecords returned no result for this record",
        });
      }
    });
    return { retryable, final: [] };
  } catch (error) {
    const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
    // Service errors are named (ResourceNotFoundException); network errors are plain Errors with a code (ECONNREFUSED).
    const errorCode =
      typeof name === "string" && name !== "Error" ? name : typeof code === "string" ? code : "UnknownError";
    const errorMessage = typeof message === "string" ? message : String(error);
    return { retryable: [], final: chunk.map(({ index }) => ({ index, errorCode, errorMessage })) };
  }
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries spread out. */
function backoffDelay(failedAttempts: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** How many failures each error code accounts for, e.g. `{ProvisionedThroughputExceededException: 3}`. */
export function countErrorCodes(failures: readonly { readonly errorCode: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { errorCode } of failures) counts[errorCode] = (counts[errorCode] ?? 0) + 1;
  return counts;
}
