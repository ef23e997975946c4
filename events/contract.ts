/**
 * The device event contract, shared by the ingest Lambda, the seismograph page and the simulator.
 *
 * One event is one accelerometer reading from one phone, as the original seismograph demo sent it:
 * `{"magnitude": 7, "time": "2023-05-24T18:56:56.800Z", "device": "client-61751e743724"}`.
 * Downstream, the pipeline parses exactly these three fields, so the contract accepts no others.
 */

export interface DeviceEvent {
  /** Shake strength on the page's uncalibrated scale: a finite number ≥ 0. */
  readonly magnitude: number;
  /** When the reading was taken: ISO-8601 in UTC with a `Z` suffix, e.g. `2023-05-24T18:56:56.800Z`. */
  readonly time: string;
  /** The sending device: `client-` followed by 6–64 lowercase hex digits. Also the Kinesis partition key. */
  readonly device: string;
}

export interface FieldError {
  /** Position of the event in its batch (0 for a single event). */
  readonly index: number;
  /** The offending field, or `"event"` when the value is not an event object at all. */
  readonly field: string;
  readonly message: string;
}

export const DEVICE_ID_PATTERN = /^client-[0-9a-f]{6,64}$/;

// Calendar-checked below: the pattern alone would accept 2023-02-30.
const UTC_TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

const EVENT_FIELDS: ReadonlySet<string> = new Set(["magnitude", "time", "device"]);

export function isUtcTimestamp(value: string): boolean {
  const match = UTC_TIMESTAMP_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** Every problem with one candidate event; an empty list means it satisfies the contract. */
export function validateEvent(value: unknown, index = 0): FieldError[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ index, field: "event", message: "expected a JSON object with magnitude, time and device" }];
  }
  const errors: FieldError[] = [];
  const candidate = value as Record<string, unknown>;
  const { magnitude, time, device } = candidate;

  if (typeof magnitude !== "number" || !Number.isFinite(magnitude) || magnitude < 0) {
    errors.push({
      index,
      field: "magnitude",
      message: `expected a finite number >= 0, got ${describe(magnitude)}`,
    });
  }
  if (typeof time !== "string" || !isUtcTimestamp(time)) {
    errors.push({
      index,
      field: "time",
      message: `expected an ISO-8601 UTC timestamp like 2023-05-24T18:56:56.800Z, got ${describe(time)}`,
    });
  }
  if (typeof device !== "string" || !DEVICE_ID_PATTERN.test(device)) {
    errors.push({
      index,
      field: "device",
      message: `expected "client-" followed by 6 to 64 lowercase hex digits, got ${describe(device)}`,
    });
  }
  for (const field of Object.keys(candidate)) {
    if (!EVENT_FIELDS.has(field)) {
      errors.push({ index, field, message: "unknown field: an event has only magnitude, time and device" });
    }
  }
  return errors;
}

export function isDeviceEvent(value: unknown): value is DeviceEvent {
  return validateEvent(value).length === 0;
}

/** The record body written to Kinesis: always the three fields in the same order. */
export function encodeEvent(event: DeviceEvent): string {
  return JSON.stringify({ magnitude: event.magnitude, time: event.time, device: event.device });
}

/** `count` random bytes as lowercase hex; works in browsers and Node ≥ 20. */
function randomHex(count: number): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(count));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A fresh device id with 12 hex digits, like the demo's phones. */
export function newDeviceId(): string {
  return `client-${randomHex(6)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/**
 * Device ids of synthetic events (`lakestack verify`): this prefix, then 24 more hex digits. Phones and the
 * simulator use 12 hex digits, so no real device id can be one of them; downstream, leave them out with
 * `WHERE device NOT LIKE 'client-5e1f7e57%'`.
 */
export const SYNTHETIC_DEVICE_PREFIX = "client-5e1f7e57";

export function syntheticDeviceId(): string {
  return `${SYNTHETIC_DEVICE_PREFIX}${randomHex(12)}`;
}
