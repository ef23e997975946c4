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
  /** The offending field (its name cut to 40 characters), or `"event"` when the value is not an event object. */
  readonly field: string;
  readonly message: string;
}

export const DEVICE_ID_PATTERN = /^client-[0-9a-f]{6,64}$/;

/**
 * Bounds an event must keep, beyond its shape. Each environment sets them in YAML (`contract:`); the
 * ingest function and the pipeline apply the same values.
 */
export interface ContractBounds {
  /** Largest magnitude accepted: two events near Number.MAX_VALUE would make an average Infinity for good. */
  readonly magnitudeMax: number;
  /** How long before the receiving clock an event's time may be, in milliseconds. */
  readonly maxAgeMs: number;
  /** How far after the receiving clock (phone clocks drift), in milliseconds. */
  readonly maxAheadMs: number;
}

/** A ±16 g phone sensor reads at most about 2,600 on the page's scale. */
export const DEFAULT_BOUNDS: ContractBounds = {
  magnitudeMax: 3000,
  maxAgeMs: 24 * 60 * 60 * 1000,
  maxAheadMs: 15 * 60 * 1000,
};

export interface ValidationOptions {
  /** @default DEFAULT_BOUNDS */
  readonly bounds?: ContractBounds;
  /** The receiving clock (ms since the epoch); without it, times are not checked against a window. */
  readonly now?: number;
}

// Calendar-checked below: the pattern alone would accept 2023-02-30.
const UTC_TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

const EVENT_FIELDS: ReadonlySet<string> = new Set(["magnitude", "time", "device"]);
/** Field names are echoed back to anonymous clients: never more than this many characters of one. */
const ECHOED_NAME_LENGTH = 40;

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
export function validateEvent(value: unknown, index = 0, options: ValidationOptions = {}): FieldError[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ index, field: "event", message: "expected a JSON object with magnitude, time and device" }];
  }
  const candidate = value as Record<string, unknown>;
  // Counted without listing every key: a 1 MB body can hold a hundred thousand of them.
  let fields = 0;
  for (const key in candidate) {
    if (Object.hasOwn(candidate, key) && ++fields > EVENT_FIELDS.size) {
      return [
        {
          index,
          field: "event",
          message: `has more than ${EVENT_FIELDS.size} fields: an event has only magnitude, time and device`,
        },
      ];
    }
  }
  const errors: FieldError[] = [];
  const { magnitude, time, device } = candidate;
  const { magnitudeMax, maxAgeMs, maxAheadMs } = options.bounds ?? DEFAULT_BOUNDS;

  if (
    typeof magnitude !== "number" ||
    !Number.isFinite(magnitude) ||
    magnitude < 0 ||
    magnitude > magnitudeMax
  ) {
    errors.push({
      index,
      field: "magnitude",
      message: `expected a finite number from 0 to ${magnitudeMax}, got ${describe(magnitude)}`,
    });
  }
  if (typeof time !== "string" || !isUtcTimestamp(time)) {
    errors.push({
      index,
      field: "time",
      message: `expected an ISO-8601 UTC timestamp like 2023-05-24T18:56:56.800Z, got ${describe(time)}`,
    });
  } else if (options.now !== undefined) {
    const offset = Date.parse(time) - options.now;
    if (offset < -maxAgeMs || offset > maxAheadMs) {
      errors.push({
        index,
        field: "time",
        message:
          `${describe(time)} is outside the accepted window around the server's clock ` +
          `(${minutes(maxAgeMs)} minutes before to ${minutes(maxAheadMs)} minutes after): check the device's clock`,
      });
    }
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
      errors.push({
        index,
        field: truncate(field, ECHOED_NAME_LENGTH),
        message: "unknown field: an event has only magnitude, time and device",
      });
    }
  }
  return errors;
}

export function isDeviceEvent(value: unknown): value is DeviceEvent {
  return validateEvent(value).length === 0;
}

/**
 * The record body written to Kinesis: always the three fields in the same order. The ingest function
 * adds `received_at`, its own clock when the request arrived, so a record says when the server saw it.
 */
export function encodeEvent(event: DeviceEvent, receivedAt?: string): string {
  const { magnitude, time, device } = event;
  return JSON.stringify(
    receivedAt === undefined
      ? { magnitude, time, device }
      : { magnitude, time, device, received_at: receivedAt },
  );
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

/** A value as a client may see it echoed: by its type, and never more than a few dozen characters. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(truncate(value, 40));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

function minutes(ms: number): number {
  return Math.round(ms / 60_000);
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
