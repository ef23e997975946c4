import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseDocument, stringify } from "yaml";
import { loadEnvironments, mergeConfig, type Environment } from "../../loader/load";
import { ResourceIndex, type Attributes, type TerraformDocument } from "../../policy/resources";
import type { Rule, Violation } from "../../policy/rule";
import { CONFIG_DIR, configFolder, synthDocument } from "../helpers";

/**
 * What the reference config/base.yaml needs so the reference environments pass their own rules: the
 * waivers for the design's exceptions, and production schedules that say they run on purpose. Applying
 * them is idempotent, so these fixtures keep working once base.yaml carries them.
 */
export const PROPOSED_WAIVERS = {
  "site-http-only": {
    rule: "LS-S3-3",
    resource: "aws_s3_bucket.browser_site_bucket",
    reason:
      "S3 website endpoints serve HTTP only: a TLS-only policy would take the page offline. The bucket holds only the page's public build output.",
  },
  "site-public-read": {
    rule: "LS-S3-5",
    resource: "aws_s3_bucket.browser_site_bucket",
    reason:
      "The seismograph page is a public website by design: anyone may s3:GetObject its build output; nobody may list or write.",
  },
  "phone-guests": {
    rule: "LS-COG-1",
    resource: "aws_cognito_identity_pool.browser_identity_pool",
    reason:
      "Phones send readings without signing in. Guests may only kinesis:PutRecord(s) on this environment's stream, on the classic flow because the enhanced flow's session policy has no Kinesis actions.",
  },
};

/**
 * base.yaml as proposed: reference text plus the waivers, and `paused: false` on every schedule (or, with
 * `explicitSchedules: false`, schedules that leave `paused` to its default, as base.yaml did before).
 */
export function proposedBase({ explicitSchedules = true } = {}): string {
  const doc = parseDocument(readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8"));
  const jobs = (doc.toJS() as { jobs?: Record<string, { schedule?: unknown }> }).jobs ?? {};
  for (const [key, job] of Object.entries(jobs)) {
    const paused = ["jobs", key, "schedule", "paused"];
    if (!job.schedule) continue;
    if (explicitSchedules) doc.setIn(paused, false);
    else doc.deleteIn(paused);
  }
  doc.set("waivers", PROPOSED_WAIVERS);
  return String(doc);
}

/** An environment file: the reference one with YAML fields changed (maps merge, lists replace). */
export function environmentText(name: string, changes: Record<string, unknown> = {}): string {
  const original = parse(readFileSync(join(CONFIG_DIR, `${name}.yaml`), "utf8")) as Record<string, unknown>;
  return stringify(mergeConfig(original, changes));
}

/** Loads one environment from the given files (removed afterwards; positions stay readable). */
export function loadFrom(name: string, files: Record<string, string>): Environment {
  const dir = configFolder(files);
  try {
    return loadEnvironments(dir, [name])[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A reference environment under the proposed base.yaml, with YAML fields of its own file changed. */
export function proposedEnvironment(name: string, changes: Record<string, unknown> = {}): Environment {
  return loadFrom(name, { "base.yaml": proposedBase(), [`${name}.yaml`]: environmentText(name, changes) });
}

/** The synthesized Terraform document of an environment (one synth). */
export function synthesizedDocument(environment: Environment): TerraformDocument {
  return synthDocument<TerraformDocument>(environment);
}

type MutableResources = Record<string, Record<string, Record<string, any>>>;

/** An index of a copy of the document, edited first: the way rule tests build non-compliant stacks. */
export function edited(
  document: TerraformDocument,
  edit: (resources: MutableResources) => void = () => {},
): ResourceIndex {
  const copy = structuredClone({ resource: {}, ...document }) as { resource: MutableResources };
  edit(copy.resource);
  return ResourceIndex.fromTerraform(copy);
}

/** A resource block as synthesized, for fixtures built by hand. */
export function add(resources: MutableResources, type: string, name: string, config: Attributes): void {
  resources[type] = { ...resources[type], [name]: { ...config } };
}

export function violations(rule: Rule, resources: ResourceIndex, environment: Environment): Violation[] {
  return rule.check({ resources, environment });
}

/** A throw-away folder for tests that write files. */
export function scratchFolder(): string {
  return mkdtempSync(join(tmpdir(), "lakestack-policy-"));
}
