/** Standard gravity, m/s². */
export const STANDARD_GRAVITY = 9.80665;

export interface Acceleration {
  readonly x: number | null;
  readonly y: number | null;
  readonly z: number | null;
}

/**
 * The demo-like, uncalibrated magnitude of one reading: how far the total acceleration (gravity included,
 * which every phone reports) is from 1 g, in tenths of m/s², rounded. A phone lying still reads 0–3,
 * walking with it gives tens, a hard shake 150 and more. Null when the reading has no acceleration.
 */
export function magnitudeOf(acceleration: Acceleration | null | undefined): number | null {
  if (!acceleration) return null;
  const { x, y, z } = acceleration;
  if (x === null || y === null || z === null) return null;
  return Math.round(Math.abs(Math.hypot(x, y, z) - STANDARD_GRAVITY) * 10);
}

/**
 * Motion events fire up to 60 times a second; the demo sent about 5. The sampler passes on at most one
 * magnitude per interval: the strongest since the last one, so a short jolt between two samples still counts.
 */
export class PeakSampler {
  private peak = -1;
  private lastEmit = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** The magnitude to send now, or null while the interval runs. */
  offer(magnitude: number, nowMs: number): number | null {
    this.peak = Math.max(this.peak, magnitude);
    if (nowMs - this.lastEmit < this.intervalMs) return null;
    const emitted = this.peak;
    this.peak = -1;
    this.lastEmit = nowMs;
    return emitted;
  }
}
