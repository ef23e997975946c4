/**
 * What a change does, offline: the Terraform each environment synthesizes to before and after, compared
 * resource by resource. A reviewer reads "removes databricks_recipient.…" before any plan runs, with no
 * credentials. Terraform's plan stays the final word: it also sees the cloud's state, and which changes
 * replace a resource.
 */
import { ResourceIndex, type TerraformDocument } from "../policy/resources";
import { canonical, isPlainObject } from "./diff";

export interface ResourceChange {
  /** Terraform address, e.g. `databricks_job.job_device_max_job`. */
  readonly address: string;
  readonly action: "add" | "change" | "remove";
  /** For changes: the attributes that differ, nested ones dotted, e.g. `schedule.quartz_cron_expression`. */
  readonly attributes?: readonly string[];
}

export interface EnvironmentChanges {
  readonly environment: string;
  /** `new`: the earlier version had no such environment; every resource is added. */
  readonly status: "new" | "changed";
  readonly changes: readonly ResourceChange[];
}

/** Keys of a resource block that are not attributes of the resource: no plan shows them as changes. */
const NOT_ATTRIBUTES = new Set(["//", "depends_on", "lifecycle", "provider"]);
/** How deep attribute names go: `schedule.quartz_cron_expression`, not further. */
const ATTRIBUTE_DEPTH = 2;

/** The attribute paths where two blocks differ. */
function differingAttributes(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  prefix = "",
  depth = 1,
): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    if (depth === 1 && NOT_ATTRIBUTES.has(key)) return [];
    const [a, b] = [before[key], after[key]];
    if (canonical(a) === canonical(b)) return [];
    const path = `${prefix}${key}`;
    if (depth < ATTRIBUTE_DEPTH && isPlainObject(a) && isPlainObject(b)) {
      return differingAttributes(a, b, `${path}.`, depth + 1);
    }
    return [path];
  });
}

/** The resources `after` adds, changes and removes compared with `before`, sorted by address. */
export function resourceChanges(
  before: TerraformDocument | undefined,
  after: TerraformDocument,
): ResourceChange[] {
  const [old, now] = [ResourceIndex.fromTerraform(before ?? {}), ResourceIndex.fromTerraform(after)];
  const addresses = [...new Set([...old.all, ...now.all].map((r) => r.address))].sort();
  return addresses.flatMap((address): ResourceChange[] => {
    const [a, b] = [old.get(address)?.config, now.get(address)?.config];
    if (!a) return [{ address, action: "add" }];
    if (!b) return [{ address, action: "remove" }];
    const attributes = differingAttributes(a, b);
    return attributes.length ? [{ address, action: "change", attributes }] : [];
  });
}

/** Each environment of `after` compared with the same environment of `before`, when it had one. */
export function environmentChanges(
  before: ReadonlyMap<string, TerraformDocument>,
  after: ReadonlyMap<string, TerraformDocument>,
): EnvironmentChanges[] {
  return [...after].map(([environment, document]) => ({
    environment,
    status: before.has(environment) ? "changed" : "new",
    changes: resourceChanges(before.get(environment), document),
  }));
}

const SIGNS = { add: "+", change: "~", remove: "-" } as const;

/** The summary as people read it: per environment the counts, then one line per resource. */
export function renderChanges(against: string, environments: readonly EnvironmentChanges[]): string {
  const blocks = environments.map(({ environment, status, changes }) => {
    if (status === "new") return `${environment}: new environment, adds ${changes.length} resource(s)`;
    if (changes.length === 0) return `${environment}: no resource changes`;
    const count = (action: ResourceChange["action"]) => changes.filter((c) => c.action === action).length;
    const head = `${environment}: ${count("add")} to add, ${count("change")} to change, ${count("remove")} to remove`;
    const lines = changes.map(
      (c) => `  ${SIGNS[c.action]} ${c.address}${c.attributes ? `: ${c.attributes.join(", ")}` : ""}`,
    );
    return [head, ...lines].join("\n");
  });
  return [
    `Terraform changes since ${against} (offline, from config; a plan has the final word):`,
    ...blocks,
  ].join("\n");
}
