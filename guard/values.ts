/**
 * The only ways the guard looks inside planned values. `before_sensitive`/`after_sensitive` mirror
 * the value's shape with `true` at every sensitive leaf (or `true` for a whole sensitive subtree), so
 * a path is sensitive as soon as any prefix of it is marked.
 */
import type { PathStep } from "./plan-format";

const REDACTED_STEP = "(sensitive)";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function child(value: unknown, step: PathStep): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as Record<string, unknown>)[String(step)];
}

export function isSensitivePath(marks: unknown, path: readonly PathStep[]): boolean {
  let node = marks;
  for (const step of path) {
    if (node === true) return true;
    node = child(node, step);
  }
  return node === true;
}

/** Steps of `path` that may be shown: up to and including the first one marked sensitive. */
function shownStepCount(marks: unknown, path: readonly PathStep[]): number {
  if (marks === true) return Math.min(1, path.length);
  let node = marks;
  for (let i = 0; i < path.length; i += 1) {
    node = child(node, path[i]);
    if (node === true) return i + 1;
  }
  return path.length;
}

function formatStep(step: PathStep, index: number): string {
  if (typeof step === "number") return `[${step}]`;
  if (IDENTIFIER.test(step)) return index === 0 ? step : `.${step}`;
  return `[${JSON.stringify(step)}]`;
}

/**
 * Renders a replace path as `a[0].b`. Steps below a sensitive mark on either side become
 * "(sensitive)": a map key under a sensitive attribute may itself be a secret.
 */
export function formatPath(
  path: readonly PathStep[],
  beforeSensitive: unknown,
  afterSensitive: unknown,
): string {
  const shown = Math.min(shownStepCount(beforeSensitive, path), shownStepCount(afterSensitive, path));
  const text = path.slice(0, shown).map(formatStep).join("");
  return shown < path.length ? `${text}.${REDACTED_STEP}` : text;
}

/** A leaf read from `before` or `after`, with whether the plan marks it sensitive. */
export interface PlannedLeaf {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export function readLeaf(value: unknown, marks: unknown, path: readonly PathStep[]): PlannedLeaf {
  const leaf = path.reduce<unknown>((node, step) => child(node, step), value);
  return { value: leaf, sensitive: isSensitivePath(marks, path) };
}
