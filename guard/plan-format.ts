/**
 * Reads the JSON that `terraform show -json <planfile>` prints (Terraform's documented "JSON output
 * format") into a small typed shape, rejecting anything that is not a complete, supported plan.
 * Unknown properties are ignored, as the format's minor versions require.
 *
 * Error messages name the offending JSON path and never quote values: plans carry secrets.
 */

/**
 * The format versions this reader understands: "0.1" and "0.2" (Terraform 0.12 to 1.0) and every "1.x"
 * (Terraform ≥ 1.1, OpenTofu). The fields the guard reads are the same in all of them, and HashiCorp's own
 * terraform-json reader accepts the same range. A new major version may change what they mean.
 */
export const SUPPORTED_FORMAT_MAJOR = 1;
const OLDEST_FORMAT = { major: 0, minor: 1 };

export type PathStep = string | number;

export interface PlanResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  /** Set when the change targets a deposed object left behind by an earlier create-before-destroy. */
  readonly deposed?: string;
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
  readonly beforeSensitive: unknown;
  readonly afterSensitive: unknown;
  readonly replacePaths: readonly (readonly PathStep[])[];
  readonly importing: boolean;
  readonly actionReason?: string;
}

export interface ParsedPlan {
  readonly formatVersion: string;
  readonly terraformVersion: string;
  readonly resourceChanges: readonly PlanResourceChange[];
  /** Resources changed outside Terraform since the last apply. */
  readonly driftCount: number;
  /** Changes Terraform postponed to a later plan; they are guarded when they are planned. */
  readonly deferredCount: number;
}

/** The input is not a plan this guard can vouch for. */
export class PlanFormatError extends Error {
  override readonly name = "PlanFormatError";
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new PlanFormatError(`plan JSON: ${path} ${problem}`);
}

function requireObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, "must be an object");
  return value;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== "string") fail(path, "must be a string");
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, path);
}

function optionalArray(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, "must be a list");
  return value;
}

/**
 * The text of a plan file: UTF-8 with or without a byte-order mark, or UTF-16 (little or big endian)
 * with one, which is what Windows PowerShell writes for `terraform show -json tfplan > plan.json`.
 */
export function decodePlanBytes(bytes: Uint8Array, source: string): string {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return utf8(bytes.subarray(3), source);
  if (a === 0xff && b === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (a === 0xfe && b === 0xff) {
    const swapped = Uint8Array.from(bytes.subarray(2));
    for (let i = 0; i + 1 < swapped.length; i += 2)
      [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    return new TextDecoder("utf-16le").decode(swapped);
  }
  if (bytes.includes(0)) {
    throw new PlanFormatError(
      `${source} looks like UTF-16 without a byte-order mark; save it as UTF-8 (PowerShell: \`terraform show -json tfplan | Out-File -Encoding utf8 plan.json\`)`,
    );
  }
  return utf8(bytes, source);
}

function utf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PlanFormatError(`${source} is neither UTF-8 nor UTF-16 with a byte-order mark`);
  }
}

/** Parses plan text (or a plan file's bytes); the parser's own message is dropped because it can quote the input. */
export function parsePlanText(input: string | Uint8Array, source: string): unknown {
  const text = typeof input === "string" ? input.replace(/^\uFEFF/, "") : decodePlanBytes(input, source);
  try {
    return JSON.parse(text);
  } catch {
    throw new PlanFormatError(
      `${source} is not valid JSON (truncated or corrupted); regenerate it with \`terraform show -json tfplan\``,
    );
  }
}

function checkFormatVersion(value: unknown): string {
  if (value === undefined) fail("format_version", "is missing: this is not `terraform show -json` output");
  const version = requireString(value, "format_version");
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) fail("format_version", "is not a MAJOR.MINOR version");
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > SUPPORTED_FORMAT_MAJOR) {
    fail(
      "format_version",
      `is ${version}: a new major version of the plan format may change what the fields the guard reads mean, ` +
        `so it cannot vouch for this plan; versions 0.1 to ${SUPPORTED_FORMAT_MAJOR}.x are supported`,
    );
  }
  if (major < OLDEST_FORMAT.major || (major === OLDEST_FORMAT.major && minor < OLDEST_FORMAT.minor)) {
    fail("format_version", `is ${version}: the oldest plan format the guard reads is 0.1 (Terraform 0.12)`);
  }
  return version;
}

/** Counts managed resources in a `planned_values`/`prior_state` module tree, without recursion. */
function countManagedResources(rootModule: unknown): number {
  let count = 0;
  const pending: unknown[] = [rootModule];
  while (pending.length > 0) {
    const module = pending.pop();
    if (!isObject(module)) continue;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (isObject(resource) && resource.mode === "managed") count += 1;
    }
    if (Array.isArray(module.child_modules)) pending.push(...module.child_modules);
  }
  return count;
}

function parseReplacePaths(value: unknown, path: string): PathStep[][] {
  return optionalArray(value, path).map((steps, i) => {
    if (!Array.isArray(steps)) fail(`${path}[${i}]`, "must be a list of path steps");
    return steps.map((step, j) => {
      if (typeof step !== "string" && typeof step !== "number") {
        fail(`${path}[${i}][${j}]`, "must be a string or a number");
      }
      return step;
    });
  });
}

function parseActions(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === "string")) {
    fail(path, "must be a non-empty list of strings");
  }
  return value;
}

function parseResourceChange(value: unknown, path: string): PlanResourceChange {
  const entry = requireObject(value, path);
  const change = requireObject(entry.change, `${path}.change`);
  return {
    address: requireString(entry.address, `${path}.address`),
    mode: requireString(entry.mode, `${path}.mode`),
    type: requireString(entry.type, `${path}.type`),
    deposed: optionalString(entry.deposed, `${path}.deposed`),
    actions: parseActions(change.actions, `${path}.change.actions`),
    before: change.before,
    after: change.after,
    beforeSensitive: change.before_sensitive,
    afterSensitive: change.after_sensitive,
    replacePaths: parseReplacePaths(change.replace_paths, `${path}.change.replace_paths`),
    importing: change.importing !== undefined && change.importing !== null,
    actionReason: optionalString(entry.action_reason, `${path}.action_reason`),
  };
}

/** Validates `terraform show -json` output for a saved plan. Throws {@link PlanFormatError}. */
export function readPlan(json: unknown): ParsedPlan {
  const plan = requireObject(json, "the document");
  const formatVersion = checkFormatVersion(plan.format_version);
  const terraformVersion = optionalString(plan.terraform_version, "terraform_version") ?? "unknown";
  if (plan.errored === true) {
    throw new PlanFormatError("the plan is marked errored: Terraform could not finish planning");
  }
  // The verdict needs resource_changes; planned_values and prior_state only serve to notice a truncated
  // file. State output (`terraform show -json` without a plan) has neither of the first two.
  if (plan.resource_changes === undefined && plan.planned_values === undefined) {
    fail("the document", "has neither resource_changes nor planned_values: this is not a plan");
  }
  const plannedValues =
    plan.planned_values === undefined ? {} : requireObject(plan.planned_values, "planned_values");
  const entries = optionalArray(plan.resource_changes, "resource_changes");
  const priorState =
    isObject(plan.prior_state) && isObject(plan.prior_state.values) ? plan.prior_state.values : {};
  const knownResources =
    countManagedResources(plannedValues.root_module) + countManagedResources(priorState.root_module);
  if (entries.length === 0 && knownResources > 0) {
    fail("resource_changes", "is missing although the plan has resources: the file looks truncated");
  }
  return {
    formatVersion,
    terraformVersion,
    resourceChanges: entries.map((entry, i) => parseResourceChange(entry, `resource_changes[${i}]`)),
    driftCount: optionalArray(plan.resource_drift, "resource_drift").length,
    deferredCount: optionalArray(plan.deferred_changes, "deferred_changes").length,
  };
}
