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
  /** Dotted path, e.g. `jobs.device_max.schedule.cron`; list items with a name are named, `[partner]`. */
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

type DiffSource = Pick<Environment, "name" | "config" | "locate">;

/** Fields that name a list item, in the order they are tried: jobs and tasks have keys, recipients names… */
const ITEM_IDENTITIES = ["key", "name", "principal", "group", "user", "service_principal"] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Each item's identity, when every item has one and no two share it. */
function itemIdentities(list: readonly unknown[]): string[] | undefined {
  if (list.length === 0) return undefined;
  const ids: string[] = [];
  for (const item of list) {
    if (!isPlainObject(item)) return undefined;
    const field = ITEM_IDENTITIES.find((f) => typeof item[f] === "string");
    if (field === undefined) return undefined;
    ids.push(String(item[field]));
  }
  return new Set(ids).size === ids.length ? ids : undefined;
}

/** JSON with sorted keys: two values are equal when their canonical forms are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

interface Walk {
  readonly display: string;
  readonly leftPath: readonly PropertyKey[];
  readonly rightPath: readonly PropertyKey[];
}

function child(walk: Walk, segment: string, leftKey: PropertyKey, rightKey: PropertyKey): Walk {
  return {
    display:
      segment.startsWith("[") || walk.display === "" ? walk.display + segment : `${walk.display}.${segment}`,
    leftPath: [...walk.leftPath, leftKey],
    rightPath: [...walk.rightPath, rightKey],
  };
}

const samePosition = (a: Position, b: Position) => a.file === b.file && a.line === b.line && a.col === b.col;

/**
 * A value's side of the comparison. `locate` falls back to the nearest enclosing key a file sets, so a
 * value no file sets is located exactly where one of its ancestors is; a value a file sets never is
 * (it starts after its own key).
 */
function side(env: DiffSource, value: unknown, path: readonly PropertyKey[]): DiffSide {
  const position = env.locate(path);
  const ancestors = path.map((_, i) => path.slice(0, i));
  return { value, isDefault: ancestors.some((a) => samePosition(env.locate(a), position)), position };
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
        const next = child(walk, key, key, key);
        if (!Object.hasOwn(b, key))
          differences.push({ path: next.display, left: leftSide(a[key], next.leftPath) });
        else if (!Object.hasOwn(a, key))
          differences.push({ path: next.display, right: rightSide(b[key], next.rightPath) });
        else compare(a[key], b[key], next);
      }
      return;
    }
    const leftIds = Array.isArray(a) ? itemIdentities(a) : undefined;
    const rightIds = Array.isArray(b) ? itemIdentities(b) : undefined;
    if (Array.isArray(a) && Array.isArray(b) && leftIds && rightIds) {
      for (const id of [...new Set([...leftIds, ...rightIds])]) {
        const i = leftIds.indexOf(id);
        const j = rightIds.indexOf(id);
        const next = child(walk, `[${id}]`, i, j);
        if (j < 0) differences.push({ path: next.display, left: leftSide(a[i], next.leftPath) });
        else if (i < 0) differences.push({ path: next.display, right: rightSide(b[j], next.rightPath) });
        else compare(a[i], b[j], next);
      }
      return;
    }
    if (canonical(a) !== canonical(b)) {
      differences.push({
        path: walk.display,
        left: leftSide(a, walk.leftPath),
        right: rightSide(b, walk.rightPath),
      });
    }
  };

  compare(left.config, right.config, { display: "", leftPath: [], rightPath: [] });
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
