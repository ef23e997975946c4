import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { IngestSettings } from "./settings";
import { countErrorCodes, putEvents } from "./put-events";
import { parseEventsRequest, type HttpApiRequest } from "./request";

export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type LogLevel = "warn" | "error";

export interface IngestDependencies {
  readonly client: KinesisClient;
  readonly settings: IngestSettings;
  /**
   * Where JSON log lines go, with their level. @default console.warn / console.error: with the function's
   * JSON log format, Lambda records the level from the console method.
   */
  readonly log?: (level: LogLevel, line: string) => void;
}

/**
 * The `POST /events` endpoint. Responses:
 * - 200 `{accepted, rejected: 0}`: every event is in the stream.
 * - 207 `{accepted, rejected, failed: [{index, errorCode}]}`: some events are in the stream and the
 *   listed ones are not, after retries; resend only those. Kinesis' own messages stay in the log: they
 *   name the stream and the account.
 * - 503 (same body, `Retry-After: 1`): none were written; resend the whole batch later.
 * - 400 `{message, errors?: [{index, field, message}], errorCount?}` (the first ten problems, and how many
 *   there are when there are more), 413 `{message}`, 415 `{message}`: nothing was written.
 *
 * Every record carries `received_at`, the function's clock when the request arrived.
 */
export function createIngestHandler(
  dependencies: IngestDependencies,
): (request: HttpApiRequest) => Promise<HttpApiResult> {
  const { client, settings, log = (level, line) => console[level](line) } = dependencies;
  const writeLog = (level: LogLevel, message: string, fields: Record<string, unknown>) =>
    log(level, JSON.stringify({ message, ...fields }));

  return async (request) => {
    const requestId = request.requestContext?.requestId;
    const received = Date.now();
    try {
      const parsed = parseEventsRequest(request, settings, received);
      if (!parsed.ok) {
        writeLog("warn", "request refused", {
          requestId,
          statusCode: parsed.statusCode,
          reason: parsed.message,
        });
        const { message, errors, errorCount } = parsed;
        return json(parsed.statusCode, { message, errors, errorCount });
      }

      const result = await putEvents(client, settings.streamName, parsed.events, {
        receivedAt: new Date(received).toISOString(),
        maxAttempts: settings.putMaxAttempts,
        baseDelayMs: settings.putBaseDelayMs,
        onRetry: (retry) =>
          writeLog("warn", "retrying records Kinesis did not take", { requestId, ...retry }),
      });
      const rejected = result.rejected.length;
      if (rejected === 0) return json(200, { accepted: result.accepted, rejected });

      writeLog("error", "events rejected by Kinesis", {
        requestId,
        stream: settings.streamName,
        accepted: result.accepted,
        rejected,
        attempts: result.attempts,
        errorCodes: countErrorCodes(result.rejected),
        errorMessages: [...new Set(result.rejected.map((r) => r.errorMessage))].slice(0, 5),
      });
      const body = {
        accepted: result.accepted,
        rejected,
        failed: result.rejected.map(({ index, errorCode }) => ({ index, errorCode })),
      };
      return result.accepted > 0 ? json(207, body) : json(503, body, { "retry-after": "1" });
    } catch (error) {
      writeLog("error", "ingest failed", {
        requestId,
        error: error instanceof Error ? error.stack : String(error),
      });
      return json(500, { message: "internal error: some events may have been written; retry later" });
    }
  };
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpApiResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}
