/** Waiting for something in a workspace: a poll interval and a deadline, both set by the caller. */

export interface Polling {
  /** Between two looks. */
  readonly intervalMs: number;
  /** Epoch milliseconds after which the wait gives up. */
  readonly deadline: number;
}

/** The wait ran out; `what` says what was still awaited. */
export class DeadlineExceeded extends Error {
  constructor(readonly what: string) {
    super(`timed out waiting for ${what}`);
  }
}

/** Sleeps one interval, or throws {@link DeadlineExceeded} when that would pass the deadline. */
export async function pause(polling: Polling, what: string): Promise<void> {
  const left = polling.deadline - Date.now();
  if (left <= 0) throw new DeadlineExceeded(what);
  await new Promise((resolve) => setTimeout(resolve, Math.min(polling.intervalMs, left)));
}

/** Durations as the commands take them: 500ms, 30s, 10m, 1h. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
