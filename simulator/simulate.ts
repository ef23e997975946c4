import { newDeviceId, type DeviceEvent } from "../events/contract";
import { createKinesisClient } from "../lambda/ingest/kinesis-client";
import { countErrorCodes, putEvents, PUT_RECORDS_MAX_RECORDS } from "../lambda/ingest/put-events";
import { percentile } from "./percentile";

export type SimulationTarget =
  | {
      readonly kind: "kinesis";
      readonly streamName: string;
      /** @default the SDK's own resolution (AWS_REGION, profile) */
      readonly region?: string;
      /** Another Kinesis endpoint, e.g. a local emulator. */
      readonly endpoint?: string;
    }
  | {
      readonly kind: "http";
      /** The ingest endpoint, `POST`ed JSON batches `{"events": [...]}`. */
      readonly url: string;
    };

export interface SimulationOptions {
  readonly target: SimulationTarget;
  /** Phones to simulate. @default 130 (the demo's audience) */
  readonly devices?: number;
  /** Events per second from each phone. @default 4.6 (the demo's cadence: ≈ 600 events/s in all) */
  readonly ratePerDevice?: number;
  /** How long to generate events; queued events are still sent after it. @default 60 */
  readonly durationSeconds?: number;
  /** Requests at once. @default 8 */
  readonly maxInFlight?: number;
  /** Most events per request (Kinesis and the ingest Lambda both take 500). @default 500 */
  readonly batchSize?: number;
  /** Stops generating; requests under way finish and the summary still comes back. */
  readonly signal?: AbortSignal;
  /** Called at most once per second (of `now`) while running. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Milliseconds on a monotonic clock: pacing, progress and latency all read it. @default performance.now */
  readonly now?: () => number;
}

export interface SimulationProgress {
  readonly elapsedSeconds: number;
  readonly generated: number;
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
}

export interface SimulationSummary extends SimulationProgress {
  readonly target: SimulationTarget["kind"];
  readonly devices: number;
  readonly ratePerDevice: number;
  /** Generated but never sent: left in the queue when stopped early. */
  readonly unsent: number;
  /** Accepted events per second of wall time. */
  readonly eventsPerSecond: number;
  readonly requests: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** Why events failed: error code → events. */
  readonly errors: Readonly<Record<string, number>>;
  readonly stoppedEarly: boolean;
}

export interface BatchOutcome {
  readonly accepted: number;
  readonly failures: ReadonlyArray<{ readonly errorCode: string }>;
}

interface IngestAnswer {
  readonly accepted?: number;
  readonly failed?: ReadonlyArray<{ readonly errorCode?: string }>;
}

export type SendBatch = (events: readonly DeviceEvent[]) => Promise<BatchOutcome>;

const TICK_MS = 50;
// Batch more often than the page does, so latency reflects the target rather than the queue.
const FLUSH_INTERVAL_MS = 250;

/**
 * Simulates phones shaking: each device emits events at its own steady rate (with a random phase), the
 * events of all devices are batched together like a gateway would, and up to `maxInFlight` requests run
 * at once. Counts are exact: every generated event ends up accepted, failed or unsent.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationSummary> {
  const {
    target,
    devices = 130,
    ratePerDevice = 4.6,
    durationSeconds = 60,
    maxInFlight = 8,
    batchSize = PUT_RECORDS_MAX_RECORDS,
    signal,
    onProgress,
    now = () => performance.now(),
  } = options;
  const { send, close } = await openTarget(target, maxInFlight);

  const deviceIds = Array.from({ length: devices }, () => newDeviceId());
  const periodMs = 1000 / ratePerDevice;
  const phase = deviceIds.map(() => Math.random() * periodMs);
  const emitted = deviceIds.map(() => 0);
  const queue: DeviceEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let generated = 0;
  let sent = 0;
  let accepted = 0;
  let failed = 0;
  let lastFlush = 0;
  let lastProgress = 0;

  const startedWall = Date.now();
  const started = now();
  const endAt = durationSeconds * 1000;
  const elapsed = () => now() - started;

  const dueTime = (index: number) => phase[index] + emitted[index] * periodMs;
  /** Every event due before `untilMs`: exactly rate × duration per device over a whole run. */
  const generateUntil = (untilMs: number) => {
    deviceIds.forEach((device, index) => {
      while (dueTime(index) < untilMs) {
        const time = new Date(startedWall + dueTime(index)).toISOString();
        queue.push({ magnitude: syntheticMagnitude(), time, device });
        emitted[index] += 1;
        generated += 1;
      }
    });
  };

  const dispatch = (batch: DeviceEvent[]) => {
    const requestStarted = now();
    const request = send(batch)
      .catch((error: unknown): BatchOutcome => {
        const errorCode = failureCode(error);
        return { accepted: 0, failures: batch.map(() => ({ errorCode })) };
      })
      .then((outcome) => {
        latencies.push(now() - requestStarted);
        sent += batch.length;
        accepted += outcome.accepted;
        failed += outcome.failures.length;
        for (const [code, count] of Object.entries(countErrorCodes(outcome.failures)))
          errors[code] = (errors[code] ?? 0) + count;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  /** Starts requests while there is room; `force` sends partial batches at once (when draining). */
  const pump = (force: boolean) => {
    const now = elapsed();
    while (inFlight.size < maxInFlight && queue.length > 0) {
      if (!force && queue.length < batchSize && now - lastFlush < FLUSH_INTERVAL_MS) break;
      dispatch(queue.splice(0, batchSize));
      lastFlush = now;
    }
  };

  const progress = (): SimulationProgress => ({
    elapsedSeconds: round(elapsed() / 1000, 1),
    generated,
    sent,
    accepted,
    failed,
  });
  const report = () => {
    if (onProgress && elapsed() - lastProgress >= 1000) {
      lastProgress = elapsed();
      onProgress(progress());
    }
  };

  try {
    while (!signal?.aborted && elapsed() < endAt) {
      generateUntil(Math.min(elapsed(), endAt));
      pump(false);
      report();
      await pause(Math.min(TICK_MS, Math.max(0, endAt - elapsed())), signal);
    }
    if (!signal?.aborted) {
      generateUntil(endAt);
      // Send what is left; stop early if asked to.
      while ((queue.length > 0 || inFlight.size > 0) && !signal?.aborted) {
        pump(true);
        report();
        if (inFlight.size > 0) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
  } finally {
    close();
  }

  const seconds = elapsed() / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    target: target.kind,
    devices,
    ratePerDevice,
    ...progress(),
    unsent: generated - sent,
    eventsPerSecond: round(accepted / seconds, 1),
    requests: latencies.length,
    latencyMs: { p50: round(percentile(sorted, 0.5), 1), p99: round(percentile(sorted, 0.99), 1) },
    errors,
    stoppedEarly: signal?.aborted ?? false,
  };
}

/**
 * A way to send batches to the target, as the page and devices do: Kinesis PutRecords, or a POST of
 * `{"events": [...]}` to the ingest endpoint. Throws at once when Kinesis lacks a region or credentials,
 * rather than failing every event.
 */
export async function openTarget(
  target: SimulationTarget,
  maxInFlight: number,
): Promise<{ send: SendBatch; close: () => void }> {
  if (target.kind === "kinesis") {
    const client = createKinesisClient({
      region: target.region,
      endpoint: target.endpoint,
      maxSockets: maxInFlight,
    });
    try {
      await client.config.region();
      await client.config.credentials();
    } catch (error) {
      client.destroy();
      throw new Error(`cannot call Kinesis: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return {
      send: async (events) => {
        const result = await putEvents(client, target.streamName, events);
        return { accepted: result.accepted, failures: result.rejected };
      },
      close: () => client.destroy(),
    };
  }
  return {
    send: async (events) => {
      const response = await fetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      const body = (await response.json().catch(() => ({}))) as IngestAnswer;
      if (response.status === 200) return { accepted: events.length, failures: [] };
      // 207 and 503 say how many were taken and why the others were not; any other status means none were.
      const partial = response.status === 207 || response.status === 503;
      const taken = partial ? (body.accepted ?? 0) : 0;
      const codes = partial ? (body.failed ?? []).map(({ errorCode }) => errorCode) : [];
      return {
        accepted: taken,
        failures: Array.from({ length: events.length - taken }, (_, index) => ({
          errorCode: codes[index] ?? `HTTP ${response.status}`,
        })),
      };
    },
    close: () => undefined,
  };
}

/** fetch reports a refused connection and the like as a TypeError whose cause carries the code, e.g. ECONNREFUSED. */
function failureCode(error: unknown): string {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (typeof cause?.code === "string") return cause.code;
  return typeof name === "string" ? name : "UnknownError";
}

/** Mostly a phone at rest or in a hand (0–9, like the demo's readings), now and then a jolt of 50–250. */
function syntheticMagnitude(): number {
  if (Math.random() < 0.01) return 50 + Math.floor(Math.random() * 200);
  return Math.min(9, Math.floor(-Math.log(1 - Math.random()) * 2));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Nearest-rank percentile of ascending values; 0 when there are none. */

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
