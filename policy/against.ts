/**
 * `validate --against <git ref | folder>`: compares each environment's resolved config with an earlier
 * version and reports the edits that would make Terraform destroy data: renames of stateful resources
 * (cloud names are ForceNew), removed recipients, shorter retention, production protection switched off.
 *
 * Terraform addresses below are the stack's construct ids (recorded in __tests__/policy/addresses.json,
 * which a test checks against these).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ConfigError, type Diagnostic } from "../loader/diagnostics";
import { environmentNames, loadEnvironments, type Environment, type Position } from "../loader/load";
import { applyWaivers, toDiagnostics, type PolicyDiagnostic, type PolicyFinding } from "./engine";
import { CHANGE_RULES, isChangeRule } from "./registry";
import type { RuleInfo } from "./rule";

export const STREAM_ADDRESS = "aws_kinesis_stream.events_stream";
export const LAKE_BUCKET_ADDRESS = "aws_s3_bucket.lake_bucket";
export const LAKE_LIFECYCLE_ADDRESS = "aws_s3_bucket_lifecycle_configuration.lake_lifecycle";
export const SITE_BUCKET_ADDRESS = "aws_s3_bucket.browser_site_bucket";
export const CATALOG_ADDRESS = "databricks_catalog.unity_catalog_catalog";
export const SCHEMA_ADDRESS = "databricks_schema.unity_catalog_schema";
export const SHARE_ADDRESS = "databricks_share.delta_sharing_share";
export const recipientAddress = (name: string) => `databricks_recipient.delta_sharing_recipient_${name}`;

type Path = readonly PropertyKey[];

/** A stateful resource whose cloud name comes from config: changing the name replaces it. */
interface NamedResource {
  readonly what: string;
  readonly address: string;
  /** Its name, or undefined when the environment does not have it. */
  readonly name: (e: Environment) => string | undefined;
  /** The YAML field that overrides the default name. */
  readonly field: Path;
  /** What the default name is built from. */
  readonly derivedFrom: readonly Path[];
  readonly loss: string;
}

const NAMED: readonly NamedResource[] = [
  {
    what: "stream",
    address: STREAM_ADDRESS,
    name: (e) => e.names.stream,
    field: ["stream", "name"],
    derivedFrom: [["project"]],
    loss: "every record it still holds is lost and the pipeline's checkpoints no longer match",
  },
  {
    what: "lake bucket",
    address: LAKE_BUCKET_ADDRESS,
    name: (e) => e.names.lakeBucket,
    field: ["lake", "bucket"],
    derivedFrom: [["project"], ["aws", "account_id"]],
    loss: "S3 cannot rename buckets: the new one starts empty and the catalog's storage root moves to it",
  },
  {
    what: "site bucket",
    address: SITE_BUCKET_ADDRESS,
    name: (e) => (e.config.browser_ingest.enabled ? e.names.siteBucket : undefined),
    field: ["browser_ingest", "site_bucket"],
    derivedFrom: [["project"], ["aws", "account_id"]],
    loss: "the page moves to a new address that every bookmark and QR code misses",
  },
  {
    what: "catalog",
    address: CATALOG_ADDRESS,
    name: (e) => e.names.catalog,
    field: ["unity_catalog", "catalog"],
    derivedFrom: [["project"]],
    loss: "the schema under it is replaced (its catalog_name forces a new one) with the pipeline's tables, and Databricks' provider does not rename catalogs reliably",
  },
  {
    what: "schema",
    address: SCHEMA_ADDRESS,
    name: (e) => e.names.schema,
    field: ["unity_catalog", "schema"],
    derivedFrom: [],
    loss: "the pipeline's tables in it are dropped and rebuilt only from what the stream still retains",
  },
  {
    what: "share",
    address: SHARE_ADDRESS,
    name: (e) => (e.config.sharing.enabled ? e.names.share : undefined),
    field: ["sharing", "share"],
    derivedFrom: [["project"]],
    loss: "every recipient loses access until it is granted the new share",
  },
];

/** Findings for one environment's change from `before` to `after`, waivers of `after` applied. */
export function compareEnvironments(before: Environment, after: Environment): PolicyDiagnostic[] {
  const changes = [
    ...renames(before, after),
    ...recipientChanges(before, after),
    ...retention(before, after),
  ];
  const production = before.config.mode === "production";
  const findings: PolicyFinding[] = [
    ...changes.map((c) => ({ ...c, severity: production ? c.severity : ("warning" as const) })),
    ...protection(before, after),
  ];
  const acknowledged = applyWaivers(
    after,
    findings,
    isChangeRule,
    findings.map((f) => f.resource),
  );
  return toDiagnostics(after, acknowledged);
}

/** Pairs environments by name; environments new in `current` have nothing to compare with. */
export function compareAgainst(
  baseline: readonly Environment[],
  current: readonly Environment[],
): PolicyDiagnostic[] {
  return current.flatMap((after) => {
    const before = baseline.find((b) => b.name === after.name);
    return before ? compareEnvironments(before, after) : [];
  });
}

function finding(
  rule: RuleInfo,
  resource: string,
  message: string,
  fix: string,
  path: Path,
  position?: Position,
): PolicyFinding {
  return { rule: rule.id, severity: rule.severity, resource, message, fix, path, position };
}

function renames(before: Environment, after: Environment): PolicyFinding[] {
  return NAMED.flatMap((r) => {
    const [old, now] = [r.name(before), r.name(after)];
    if (old === undefined || now === undefined || old === now) return [];
    const field = r.field.join(".");
    return [
      finding(
        CHANGE_RULES.replaced,
        r.address,
        `the ${r.what} '${old}' becomes '${now}': Terraform plans to destroy ${r.address} and create a new one ` +
          `(production's prevent_destroy stops that plan; development goes ahead); ${r.loss}`,
        `set ${field}: ${old} to keep it; to move on purpose, create the new ${r.what} beside the old one, migrate, ` +
          `then remove the old one, acknowledging this with a waiver {rule: ${CHANGE_RULES.replaced.id}, resource: ${r.address}}`,
        cause(before, after, r),
      ),
    ];
  });
}

/** The YAML field to point at: the override if either version sets it, else whichever input of the default changed. */
function cause(before: Environment, after: Environment, r: NamedResource): Path {
  const set = (e: Environment, p: Path) => valueAt(e.config, p) !== undefined;
  if (set(before, r.field) || set(after, r.field)) return r.field;
  return r.derivedFrom.find((p) => valueAt(before.config, p) !== valueAt(after.config, p)) ?? r.field;
}

function recipientChanges(before: Environment, after: Environment): PolicyFinding[] {
  const [old, now] = [before.config.sharing, after.config.sharing];
  if (!old.enabled) return [];
  if (!now.enabled) {
    return [
      finding(
        CHANGE_RULES.removed,
        SHARE_ADDRESS,
        `turning sharing off destroys the share '${before.names.share}' and its recipients`,
        `keep sharing.enabled: true until no partner reads the share, then acknowledge with a waiver {rule: ${CHANGE_RULES.removed.id}, resource: ${SHARE_ADDRESS}}`,
        ["sharing", "enabled"],
      ),
      ...Object.keys(old.recipients).map((name) => removedRecipient(name)),
    ];
  }
  const found: PolicyFinding[] = [];
  const removed = Object.keys(old.recipients).filter((name) => !Object.hasOwn(now.recipients, name));
  const added = Object.keys(now.recipients).filter((name) => !Object.hasOwn(old.recipients, name));
  // One name out and one in, in the same change, is a rename.
  if (removed.length === 1 && added.length === 1) found.push(renamedRecipient(removed[0], added[0]));
  else found.push(...removed.map((name) => removedRecipient(name)));
  for (const [name, r] of Object.entries(old.recipients)) {
    if (!Object.hasOwn(now.recipients, name)) continue;
    const next = now.recipients[name];
    const replaced = (field: "auth" | "metastore_id", from: unknown, to: unknown) =>
      finding(
        CHANGE_RULES.replaced,
        recipientAddress(name),
        `changing recipient '${name}' ${field} from ${String(from ?? "unset")} to ${String(to ?? "unset")} replaces it: ` +
          `its credential stops working and the partner must activate a new one`,
        `set ${field} back to ${String(from ?? "unset")}; to switch on purpose, add a recipient under a new name, ` +
          `move the partner to it, then remove the old one`,
        ["sharing", "recipients", name, field],
      );
    if (next.auth !== r.auth) found.push(replaced("auth", r.auth, next.auth));
    else if (next.metastore_id !== r.metastore_id)
      found.push(replaced("metastore_id", r.metastore_id, next.metastore_id));
  }
  return found;

  /** At the `enabled: false` that removes it, or else where the entry was before it was deleted. */
  function removedRecipient(name: string): PolicyFinding {
    const path = ["sharing", "recipients", name];
    const switchedOff = after.isSet([...path, "enabled"]);
    return finding(
      CHANGE_RULES.removed,
      recipientAddress(name),
      `removing recipient '${name}' destroys it: the partner loses access, and re-adding it issues a new credential`,
      `keep the entry until the partner has stopped reading, then acknowledge with a waiver {rule: ${CHANGE_RULES.removed.id}, resource: ${recipientAddress(name)}}`,
      switchedOff ? [...path, "enabled"] : path,
      switchedOff ? undefined : before.locate(path),
    );
  }

  function renamedRecipient(from: string, to: string): PolicyFinding {
    const path = ["sharing", "recipients", to];
    return finding(
      CHANGE_RULES.replaced,
      recipientAddress(from),
      `renaming recipient '${from}' to '${to}' destroys '${from}' and creates '${to}': the partner's credential stops working`,
      `name it ${from} again; to rename on purpose, add '${to}' beside '${from}', move the partner, then remove '${from}'`,
      path,
      after.locateKey(path),
    );
  }
}

function retention(before: Environment, after: Environment): PolicyFinding[] {
  const found: PolicyFinding[] = [];
  const [oldHours, newHours] = [before.config.stream.retention_hours, after.config.stream.retention_hours];
  if (newHours < oldHours) {
    found.push(
      finding(
        CHANGE_RULES.shortened,
        STREAM_ADDRESS,
        `stream retention drops from ${oldHours} to ${newHours} hours: Kinesis trims older records at once, ` +
          `and a full refresh of the pipeline can replay only ${newHours} hours`,
        `keep retention_hours: ${oldHours}, or acknowledge with a waiver {rule: ${CHANGE_RULES.shortened.id}, resource: ${STREAM_ADDRESS}}`,
        ["stream", "retention_hours"],
      ),
    );
  }
  const [oldDays, newDays] = [
    before.config.lake.noncurrent_version_expiration_days,
    after.config.lake.noncurrent_version_expiration_days,
  ];
  if (newDays < oldDays) {
    found.push(
      finding(
        CHANGE_RULES.shortened,
        LAKE_LIFECYCLE_ADDRESS,
        `noncurrent lake versions are kept ${newDays} instead of ${oldDays} days: S3 expires the older ones on its next run`,
        `keep noncurrent_version_expiration_days: ${oldDays}, or acknowledge with a waiver {rule: ${CHANGE_RULES.shortened.id}, resource: ${LAKE_LIFECYCLE_ADDRESS}}`,
        ["lake", "noncurrent_version_expiration_days"],
      ),
    );
  }
  return found;
}

function protection(before: Environment, after: Environment): PolicyFinding[] {
  if (before.config.mode !== "production" || after.config.mode !== "development") return [];
  return [
    finding(
      CHANGE_RULES.unprotected,
      "mode",
      "production becomes development: prevent_destroy comes off the stream, lake, catalog, schema, pipeline, share and recipients, and lake.force_destroy is allowed",
      CHANGE_RULES.unprotected.fix,
      ["mode"],
    ),
  ];
}

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

// ---------------------------------------------------------------------------------------------------
// Loading the earlier version

/**
 * Hands `use` the environments of `against`: a folder holding base.yaml and <environment>.yaml files,
 * or a git revision whose copy of `configDir` is read with `git show`. Only `names` (all when none) that
 * exist there are loaded. Positions name the revision, e.g. `main:config/prod.yaml:12:3`. A revision's
 * notebooks/ and sql/ (beside its config folder) are what its jobs ran; without them, today's are used.
 * A revision is written to a scratch folder that lives exactly as long as `use`, since stacks built from
 * it read its notebooks.
 */
export function withBaseline<T>(
  against: string,
  configDir: string,
  names: readonly string[] | undefined,
  use: (baseline: Environment[]) => T,
): T {
  if (existsSync(against) && statSync(against).isDirectory()) return use(loadPresent(against, names));
  const { files, workloads, label } = readRevision(against, configDir);
  const scratch = mkdtempSync(join(tmpdir(), "lakestack-against-"));
  try {
    const dir = join(scratch, "config");
    mkdirSync(dir);
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    for (const [path, text] of workloads) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), text);
    }
    const relabel = (file: string) => (dirname(resolve(file)) === dir ? label(basename(file)) : file);
    let baseline: Environment[];
    try {
      baseline = loadPresent(dir, names, workloads.size > 0 ? scratch : undefined).map((e) =>
        relabelled(e, relabel),
      );
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new ConfigError(error.diagnostics.map((d) => ({ ...d, file: relabel(d.file) })));
      }
      throw error;
    }
    return use(baseline);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function loadPresent(
  dir: string,
  names: readonly string[] | undefined,
  workloadsRoot?: string,
): Environment[] {
  const present = environmentNames(dir);
  const wanted = names?.length ? names.filter((n) => present.includes(n)) : present;
  return wanted.length ? loadEnvironments(dir, wanted, { workloadsRoot }) : [];
}

function relabelled(e: Environment, relabel: (file: string) => string): Environment {
  return {
    ...e,
    file: relabel(e.file),
    locate: (path) => {
      const position = e.locate(path);
      return { ...position, file: relabel(position.file) };
    },
    locateKey: (path) => {
      const position = e.locateKey(path);
      return { ...position, file: relabel(position.file) };
    },
  };
}

/**
 * The config folder's YAML files at a git revision, by file name, and the notebooks/ and sql/ files
 * beside it, by path below the folder that holds them.
 */
function readRevision(
  ref: string,
  configDir: string,
): { files: Map<string, string>; workloads: Map<string, string>; label: (name: string) => string } {
  const refuse = (why: string): never => {
    const diagnostic: Diagnostic = {
      file: relative(process.cwd(), resolve(configDir)) || ".",
      line: 1,
      col: 1,
      path: "",
      message: `--against ${ref}: ${why}`,
    };
    throw new ConfigError([diagnostic]);
  };
  // A leading '-' would reach git as an option.
  if (ref.startsWith("-") || ref.length === 0) refuse("not a folder, and not a git revision name");
  const git = (cwd: string, args: string[]) => {
    try {
      return execFileSync("git", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 1 << 26,
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim().split("\n")[0];
      return refuse(`not a folder, and git cannot read it${stderr ? ` (${stderr})` : ""}`);
    }
  };
  const top = git(configDir, ["rev-parse", "--show-toplevel"]).trim();
  const prefix = git(configDir, ["rev-parse", "--show-prefix"]).trim();
  const commit = git(top, ["rev-parse", "--verify", `${ref}^{commit}`]).trim();
  const paths = git(top, ["ls-tree", "--name-only", commit, "--", prefix || "."])
    .split("\n")
    .filter((p) => p.endsWith(".yaml"));
  const files = new Map(paths.map((p) => [basename(p), git(top, ["show", `${commit}:${p}`])]));
  const parent = dirname(prefix.replace(/\/$/, "") || ".");
  const under = parent === "." ? "" : `${parent}/`;
  const workloads = new Map(
    git(top, ["ls-tree", "-r", "--name-only", commit, "--", `${under}notebooks`, `${under}sql`])
      .split("\n")
      .filter(Boolean)
      .map((p) => [p.slice(under.length), git(top, ["show", `${commit}:${p}`])] as const),
  );
  return { files, workloads, label: (name) => `${ref}:${prefix}${name}` };
}
