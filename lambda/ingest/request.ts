import { validateEvent, type ContractBounds, type DeviceEvent, type FieldError } from "../../events/contract";

/** The parts of an API Gateway HTTP API (payload format 2.0) request the ingest reads. */
export interface HttpApiRequest {
  /** Header names arrive lowercased from API Gateway. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly requestId?: string };
}

export interface RequestLimits {
  readonly maxBodyBytes: number;
  readonly maxBatchRecords: number;
  /** The event contract's bounds (magnitude, time window). */
  readonly bounds: ContractBounds;
}

/**
 * Problems listed in a 400 response: the first few tell a client what is wrong, and a response that
 * listed them all could outgrow the request many times over (and Lambda's 6 MB response limit).
 */
export const MAX_REPORTED_ERRORS = 10;

export type ParsedRequest =
  | { readonly ok: true; readonly events: DeviceEvent[] }
  | {
      readonly ok: false;
      readonly statusCode: 400 | 413 | 415;
      readonly message: string;
      /** The first {@link MAX_REPORTED_ERRORS} problems, in batch order. */
      readonly errors?: FieldError[];
      /** How many problems there are in all, when there are more than listed. */
      readonly errorCount?: number;
    };

/**
 * Turns a request into events, or says precisely why not. The body is one event, a JSON array of
 * events, or `{"events": [...]}`. A batch is all or nothing: one invalid event rejects the request,
 * with every problem listed by the event's index, so a client never has to guess what was written.
 */
export function parseEventsRequest(
  request: HttpApiRequest,
  limits: RequestLimits,
  now: number = Date.now(),
): ParsedRequest {
  const contentType = request.headers?.["content-type"];
  if (!isJsonContentType(contentType)) {
    return {
      ok: false,
      statusCode: 415,
      message: `expected Content-Type application/json (charset utf-8 optional), got ${JSON.stringify(contentType ?? "")}`,
    };
  }

  const raw = request.body ?? "";
  const bodyBytes = Buffer.byteLength(raw, request.isBase64Encoded ? "base64" : "utf8");
  if (bodyBytes > limits.maxBodyBytes) {
    return {
      ok: false,
      statusCode: 413,
      message: `request body is ${bodyBytes} bytes; the limit is ${limits.maxBodyBytes}`,
    };
  }
  const text = request.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;

  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { ok: false, statusCode: 400, message: "request body is not valid JSON" };
  }

  const candidates = eventList(payload);
  if (typeof candidates === "string") return { ok: false, statusCode: 400, message: candidates };
  if (candidates.length > limits.maxBatchRecords) {
    return {
      ok: false,
      statusCode: 413,
      message: `batch has ${candidates.length} events; the limit is ${limits.maxBatchRecords}`,
    };
  }

  const errors = [
    ...candidates.flatMap((candidate, index) =>
      validateEvent(candidate, index, { bounds: limits.bounds, now }),
    ),
    ...duplicates(candidates),
  ].sort((a, b) => a.index - b.index);
  if (errors.length > 0) {
    const invalid = new Set(errors.map((error) => error.index)).size;
    const listed = errors.slice(0, MAX_REPORTED_ERRORS);
    return {
      ok: false,
      statusCode: 400,
      message:
        `${invalid} of ${candidates.length} events are invalid; nothing was written` +
        (errors.length > listed.length
          ? ` (the first ${listed.length} of ${errors.length} problems are listed)`
          : ""),
      errors: listed,
      ...(errors.length > listed.length ? { errorCount: errors.length } : {}),
    };
  }
  return { ok: true, events: candidates as DeviceEvent[] };
}

/** The same reading twice in one batch (device, time and magnitude) is a copy, and would count twice. */
function duplicates(candidates: readonly unknown[]): FieldError[] {
  const first = new Map<string, number>();
  const errors: FieldError[] = [];
  candidates.forEach((candidate, index) => {
    if (typeof candidate !== "object" || candidate === null) return;
    const { device, time, magnitude } = candidate as Record<string, unknown>;
    if (typeof device !== "string" || typeof time !== "string" || typeof magnitude !== "number") return;
    const key = `${device} ${time} ${magnitude}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else errors.push({ index, field: "event", message: `repeats event ${earlier}` });
  });
  return errors;
}

/** The candidate events of a payload, or the reason it is not one of the three accepted shapes. */
function eventList(payload: unknown): unknown[] | string {
  if (Array.isArray(payload)) return payload.length > 0 ? payload : "the batch is empty";
  if (typeof payload !== "object" || payload === null) {
    return 'expected an event object, an array of events, or {"events": [...]}';
  }
  if (!("events" in payload)) return [payload];
  const keys = Object.keys(payload);
  if (keys.length !== 1) return `a batch object has only an "events" field, got ${keys.join(", ")}`;
  const { events } = payload as { events: unknown };
  if (!Array.isArray(events)) return '"events" must be an array of events';
  return events.length > 0 ? events : "the batch is empty";
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType, ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  if (mediaType !== "application/json") return false;
  return parameters.every((parameter) => parameter === "" || /^charset="?utf-8"?$/.test(parameter));
}
