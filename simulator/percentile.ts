/** The value at `fraction` (0–1) of an ascending list, nearest-rank; 0 for an empty list. */
export function percentile(ascending: readonly number[], fraction: number): number {
  if (ascending.length === 0) return 0;
  return ascending[Math.min(ascending.length - 1, Math.ceil(fraction * ascending.length) - 1)];
}
