/** Every rule lakestack knows, in catalogue order. */
import type { Rule, RuleInfo } from "./rule";
import { COGNITO_RULES } from "./rules/cognito";
import { DATA_PROTECTION_RULES } from "./rules/data-protection";
import { DATABRICKS_RULES } from "./rules/databricks";
import { IAM_RULES } from "./rules/iam";
import { KINESIS_RULES } from "./rules/kinesis";
import { LAMBDA_RULES } from "./rules/lambda";
import { OPERATIONS_RULES } from "./rules/operations";
import { S3_RULES } from "./rules/s3";
import { SECRET_RULES } from "./rules/secrets";
import { TERRAFORM_RULES } from "./rules/terraform";

/** Rules over one synthesized stack, run at every synth and validate. */
export const POLICY_RULES: readonly Rule[] = [
  ...S3_RULES,
  ...KINESIS_RULES,
  ...IAM_RULES,
  ...LAMBDA_RULES,
  ...COGNITO_RULES,
  ...DATABRICKS_RULES,
  ...DATA_PROTECTION_RULES,
  ...SECRET_RULES,
  ...TERRAFORM_RULES,
  ...OPERATIONS_RULES,
];

/** Rules over a change between two versions of an environment (`validate --against`); see against.ts. */
export const CHANGE_RULES = {
  replaced: {
    id: "LS-CHG-1",
    severity: "error",
    title:
      "A config change replaces a stateful resource: renaming the stream, lake or site bucket, catalog, schema, share or a recipient, or changing a recipient's auth or metastore id.",
    why: "Terraform cannot rename these: it destroys the old one with its data (or credentials) and creates an empty one.",
    fix: "Set the name back (e.g. stream.name: <old name>); to move on purpose, build the new one next to the old and migrate.",
  },
  removed: {
    id: "LS-CHG-2",
    severity: "error",
    title: "A config change removes a stateful resource: a recipient, or the share with all its recipients.",
    why: "Terraform destroys it; recreating it later issues new credentials that every partner must activate again.",
    fix: "Keep the entry until the partner has stopped reading, then remove it with a waiver that records why.",
  },
  shortened: {
    id: "LS-CHG-3",
    severity: "error",
    title:
      "A config change shortens retention: stream.retention_hours or lake.noncurrent_version_expiration_days decreases.",
    why: "Records and object versions older than the new period are gone at once, and with them the ability to replay.",
    fix: "Keep the old period, or shorten it only after confirming nothing needs to replay that far back.",
  },
  unprotected: {
    id: "LS-CHG-4",
    severity: "warning",
    title: "A config change switches an environment from production to development mode.",
    why: "Development drops prevent_destroy and allows lake.force_destroy: the next change can delete data unopposed.",
    fix: "Keep mode: production for environments whose data matters.",
  },
} as const satisfies Record<string, RuleInfo>;

/** The rule about waivers themselves: one that matches nothing is an error, so waivers cannot rot. */
export const WAIVER_RULE: RuleInfo = {
  id: "LS-WAIVE-1",
  severity: "error",
  title: "Every waiver names a known rule and matches a finding of this environment.",
  why: "A waiver that outlives its finding would silently excuse the next, unrelated one.",
  fix: "Remove the waiver, or correct its rule id or resource address.",
};

export const ALL_RULES: readonly RuleInfo[] = [...POLICY_RULES, ...Object.values(CHANGE_RULES), WAIVER_RULE];

export function isChangeRule(id: string): boolean {
  return Object.values(CHANGE_RULES).some((r) => r.id === id);
}
