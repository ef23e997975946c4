import { encodeEvent, type DeviceEvent } from "../../events/contract";
import { AwsCallError, awsJsonCall } from "./aws";
import type { GuestCredentials } from "./credentials";

export interface SendOutcome {
  /** Positions in the batch that were not written but may be on another try. */
  readonly retry: readonly number[];
}

/** Ways to get a batch of events to the stream. `send` throws AwsCallError when the whole batch failed. */
export interface Transport {
  readonly name: string;
  send(events: readonly DeviceEvent[]): Promise<SendOutcome>;
}

/** The service refused the events themselves (400/413/415): sending them again cannot help. */
export class RejectedBatchError extends Error {}

const RETRYABLE_CODES = new Set([
  "NetworkError",
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "ThrottlingException",
  "TooManyRequestsException",
  "ExpiredTokenException",
  "InternalFailure",
  "ServiceUnavailable",
]);

/** Worth sending again through the same transport: network trouble, throttling, 5xx, expired credentials. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof AwsCallError)) return false;
  return error.status === 0 || error.status >= 500 || error.status === 429 || RETRYABLE_CODES.has(error.code);
}

interface PutRecordsOutput {
  readonly Records?: ReadonlyArray<{ readonly SequenceNumber?: string; readonly ErrorCode?: string }>;
}

/** Kinesis PutRecords, signed with guest credentials; partition key = device. */
export function kinesisTransport(
  endpoint: string,
  region: string,
  streamName: string,
  credentials: GuestCredentials,
): Transport {
  return {
    name: "Kinesis",
    async send(events) {
      const output = await awsJsonCall<PutRecordsOutput>(
        endpoint,
        "Kinesis_20131202.PutRecords",
        {
          StreamName: streamName,
          // Event JSON is ASCII by contract, so btoa can encode it directly.
          Records: events.map((event) => ({ Data: btoa(encodeEvent(event)), PartitionKey: event.device })),
        },
        { credentials: await credentials.get(), region, service: "kinesis" },
      ).catch((error: unknown) => {
        if (error instanceof AwsCallError && error.code === "ExpiredTokenException") credentials.invalidate();
        throw error;
      });
      const entries = output.Records ?? [];
      return { retry: events.flatMap((_, index) => (entries[index]?.SequenceNumber ? [] : [index])) };
    },
  };
}

interface IngestResponse {
  readonly failed?: ReadonlyArray<{ readonly index: number }>;
}

/** The HTTP ingest endpoint: `POST {ingestUrl}` with `{"events": [...]}`; see the Lambda for its answers. */
export function httpTransport(ingestUrl: string): Transport {
  return {
    name: "HTTP ingest",
    async send(events) {
      let response: Response;
      try {
        response = await fetch(ingestUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ events }),
          credentials: "omit",
        });
      } catch (error) {
        throw new AwsCallError("NetworkError", error instanceof Error ? error.message : String(error), 0);
      }
      const body = (await response.json().catch(() => ({}))) as IngestResponse & { message?: string };
      if (response.status === 200) return { retry: [] };
      if (response.status === 207) return { retry: (body.failed ?? []).map(({ index }) => index) };
      if (response.status === 400 || response.status === 413 || response.status === 415) {
        throw new RejectedBatchError(`ingest refused the batch (${response.status}): ${body.message ?? ""}`);
      }
      throw new AwsCallError(
        response.status === 503 ? "ServiceUnavailable" : `HTTP${response.status}`,
        body.message ?? response.statusText,
        response.status,
      );
    },
  };
}
