/**
 * In-place updates that lose data or remove its protection. Each detector returns a fixed sentence,
 * quoting a value only when it is a number or a known enum and the plan does not mark it sensitive.
 */
import type { PlanResourceChange } from "./plan-format";
import { readLeaf } from "./values";

type RiskDetector = (change: PlanResourceChange) => string | undefined;

/** The provider lowers retention in place: records older than the new period are gone for good. */
function kinesisRetentionLowered(change: PlanResourceChange): string | undefined {
  if (change.type !== "aws_kinesis_stream") return undefined;
  const before = readLeaf(change.before, change.beforeSensitive, ["retention_period"]);
  const after = readLeaf(change.after, change.afterSensitive, ["retention_period"]);
  if (typeof before.value !== "number" || typeof after.value !== "number") return undefined;
  if (after.value >= before.value) return undefined;
  return before.sensitive || after.sensitive
    ? "retention_period lowered (values are sensitive)"
    : `retention_period lowered from ${before.value} to ${after.value} hours`;
}

const VERSIONING_STATUSES = new Set(["Enabled", "Suspended", "Disabled"]);

/** Suspended versioning stops keeping the prior copy of overwritten and deleted objects. */
function s3VersioningSuspended(change: PlanResourceChange): string | undefined {
  if (change.type !== "aws_s3_bucket_versioning") return undefined;
  const statusPath = ["versioning_configuration", 0, "status"];
  const before = readLeaf(change.before, change.beforeSensitive, statusPath);
  const after = readLeaf(change.after, change.afterSensitive, statusPath);
  if (before.value !== "Enabled" || typeof after.value !== "string" || after.value === "Enabled") {
    return undefined;
  }
  const shown = VERSIONING_STATUSES.has(after.value) && !after.sensitive ? after.value : "changed";
  return `versioning ${shown} (was Enabled)`;
}

/** With force_destroy on, a later destroy empties the bucket, catalog or schema instead of failing. */
function forceDestroyTurnedOn(change: PlanResourceChange): string | undefined {
  const before = readLeaf(change.before, change.beforeSensitive, ["force_destroy"]);
  const after = readLeaf(change.after, change.afterSensitive, ["force_destroy"]);
  if (before.value === true || after.value !== true) return undefined;
  return "force_destroy turned on: a destroy would delete its contents";
}

const DETECTORS: readonly RiskDetector[] = [
  kinesisRetentionLowered,
  s3VersioningSuspended,
  forceDestroyTurnedOn,
];

/** Sentences describing how this change endangers data; empty when none applies. */
export function detectRisks(change: PlanResourceChange): string[] {
  return DETECTORS.map((detect) => detect(change)).filter((risk): risk is string => risk !== undefined);
}
