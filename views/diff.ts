/**
 * What differs between two environments' resolved configs (defaults applied), path by path, with the
 * YAML position each side's value comes from.
 */
import type { Environment, Position } from "../loader/load";

export interface DiffSide {
  readonly value: unknown;
  /** No YAML file sets this value: the schema's default applies. */
  readonly isDefault: boolean;
  /** Where the value is set; for a default, the nearest enclosing key the files set. */
  readonly position: Position;
}

export interface ConfigDifference {
  /** Dotted path, e.g. `jobs.device_max.schedule.cron` (named entries are maps: their key is a segment). */
  readonly path: string;
  /** Absent when only the right environment has this path. */
  readonly left?: DiffSide;
  /** Absent when only the left environment has this path. */
  readonly right?: DiffSide;
}

export interface ConfigDiff {
  readonly left: string;
  readonly right: string;
  readonly differences: readonly ConfigDifference[];
}

type DiffSource = Pick<Environment, "name" | "config" | "locate" | "isSet">;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys: two values are equal when their canonical forms are. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

interface Walk {
  readonly display: string;
  readonly path: readonly PropertyKey[];
}

function child(walk: Walk, key: string): Walk {
  return { display: walk.display === "" ? key : `${walk.display}.${key}`, path: [...walk.path, key] };
}

/** A value's side of the comparison: where it is set, or that no file sets it (a default applies). */
function side(env: DiffSource, value: unknown, path: readonly PropertyKey[]): DiffSide {
  return { value, isDefault: !env.isSet(path), position: env.locate(path) };
}

/** Compares two environments' configs; equal values, however they were set, are not differences. */
export function diffEnvironments(left: DiffSource, right: DiffSource): ConfigDiff {
  const differences: ConfigDifference[] = [];
  const leftSide = (value: unknown, path: readonly PropertyKey[]) => side(left, value, path);
  const rightSide = (value: unknown, path: readonly PropertyKey[]) => side(right, value, path);

  const compare = (a: unknown, b: unknown, walk: Walk): void => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) {
        const next = child(walk, key);
        if (!Object.hasOwn(b, key))
          differences.push({ path: next.display, left: leftSide(a[key], next.path) });
        else if (!Object.hasOwn(a, key))
          differences.push({ path: next.display, right: rightSide(b[key], next.path) });
        else compare(a[key], b[key], next);
      }
      return;
    }
    if (canonical(a) !== canonical(b)) {
      differences.push({
        path: walk.display,
        left: leftSide(a, walk.path),
        right: rightSide(b, walk.path),
      });
    }
  };

  compare(left.config, right.config, { display: "", path: [] });
  return { left: left.name, right: right.name, differences };
}

// ---------------------------------------------------------------------------------------------------
// Text for people

const MAX_VALUE_CHARACTERS = 72;

function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS - 1)}…` : text;
}

function showWhere(side: DiffSide): string {
  return side.isDefault ? "default" : `${side.position.file}:${side.position.line}:${side.position.col}`;
}

/** One block per difference: the path, then each environment's value and where it is set. */
export function renderDiff(diff: ConfigDiff): string {
  const width = Math.max(diff.left.length, diff.right.length);
  if (diff.differences.length === 0) return `${diff.left} and ${diff.right} have the same config\n`;
  const sideLine = (env: string, side: DiffSide | undefined): string =>
    side
      ? `  ${env.padEnd(width)}  ${showValue(side.value)}  (${showWhere(side)})`
      : `  ${env.padEnd(width)}  (not set)`;
  const blocks = diff.differences.map((d) =>
    [d.path, sideLine(diff.left, d.left), sideLine(diff.right, d.right)].join("\n"),
  );
  const count = `${diff.differences.length} difference${diff.differences.length === 1 ? "" : "s"}`;
  return `${diff.left} ↔ ${diff.right}: ${count}\n\n${blocks.join("\n\n")}\n`;
}
