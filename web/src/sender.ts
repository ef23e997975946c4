import type { DeviceEvent } from "../../events/contract";
import { RejectedBatchError, isRetryable, type Transport } from "./transports";

export interface SenderStats {
  /** Events the service confirmed. */
  readonly accepted: number;
  readonly queued: number;
  /** Events given up on: refused as invalid, or pushed out of a full queue while the service was unreachable. */
  readonly lost: number;
  readonly transport: string;
  readonly lastError: string | null;
}

export interface SenderOptions {
  /** Send at least this often while events wait. @default 500 */
  readonly flushIntervalMs?: number;
  /** Send as soon as this many events wait, and never more in one request. @default 100 */
  readonly batchSize?: number;
  /** Events kept while the service is unreachable; the oldest go first. @default 5000 */
  readonly maxQueued?: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Batches events and sends them one request at a time, in order. Events the service did not take go back
 * to the front of the queue. A transport that fails for a reason retrying cannot fix (no guest credentials,
 * access denied) is replaced by the next one, e.g. Kinesis by the HTTP ingest.
 */
export class EventSender {
  private readonly queue: DeviceEvent[] = [];
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private transportIndex = 0;
  private inFlight = false;
  private failures = 0;
  private notBefore = 0;
  private accepted = 0;
  private lost = 0;
  private lastError: string | null = null;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly transports: readonly Transport[],
    private readonly onChange: (stats: SenderStats) => void,
    options: SenderOptions = {},
  ) {
    if (transports.length === 0) throw new Error("EventSender needs at least one transport");
    this.flushIntervalMs = options.flushIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 100;
    this.maxQueued = options.maxQueued ?? 5000;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
  }

  add(event: DeviceEvent): void {
    this.queue.push(event);
    if (this.queue.length > this.maxQueued)
      this.lost += this.queue.splice(0, this.queue.length - this.maxQueued).length;
    if (this.queue.length >= this.batchSize) void this.flush();
    this.report();
  }

  stats(): SenderStats {
    return {
      accepted: this.accepted,
      queued: this.queue.length,
      lost: this.lost,
      transport: this.transports[this.transportIndex].name,
      lastError: this.lastError,
    };
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0 || Date.now() < this.notBefore) return;
    this.inFlight = true;
    const batch = this.queue.splice(0, this.batchSize);
    const transport = this.transports[this.transportIndex];
    try {
      const { retry } = await transport.send(batch);
      this.accepted += batch.length - retry.length;
      this.queue.unshift(...retry.map((index) => batch[index]));
      this.failures = retry.length > 0 ? this.failures + 1 : 0;
      this.lastError = retry.length > 0 ? `${retry.length} events not taken; retrying` : null;
    } catch (error) {
      this.failures += 1;
      this.lastError = `${transport.name}: ${error instanceof Error ? error.message : String(error)}`;
      if (error instanceof RejectedBatchError) {
        this.lost += batch.length;
      } else {
        this.queue.unshift(...batch);
        if (!isRetryable(error) && this.transportIndex < this.transports.length - 1) {
          this.transportIndex += 1;
          this.failures = 0;
        }
      }
    } finally {
      this.notBefore = this.failures === 0 ? 0 : Date.now() + backoff(this.failures);
      this.inFlight = false;
      this.report();
    }
    // Drain a backlog without waiting for the next tick.
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  private report(): void {
    this.onChange(this.stats());
  }
}

/** Exponential with jitter: 0.5 s, 1 s, 2 s … up to 30 s. */
function backoff(failures: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
