import { classifyActions, describeAction, type ChangeKind, type ClassifiedAction } from "./actions";
import { PlanFormatError, readPlan, type PlanResourceChange } from "./plan-format";
import { detectRisks } from "./risky-updates";
import { isStatefulType, isStatelessType } from "./stateful";
import { formatPath } from "./values";

export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly import: number;
  readonly forget: number;
  readonly read: number;
}

/** One resource change worth a reviewer's attention. Carries names and vetted facts, never values. */
export interface Finding {
  readonly address: string;
  readonly type: string;
  /** The type is on the stateful list (see stateful.ts). */
  readonly holdsData: boolean;
  readonly kind: ChangeKind;
  /** e.g. "delete", "replace (destroy, then create)". */
  readonly action: string;
  /** Terraform's `action_reason`, e.g. "replace_because_cannot_update". */
  readonly reason?: string;
  /** Attribute paths that force the replacement, e.g. "name"; sensitive parts redacted. */
  readonly replacePaths: readonly string[];
  /** Why an update endangers data, e.g. "retention_period lowered from 168 to 24 hours". */
  readonly risks: readonly string[];
  readonly deposed?: string;
  readonly importing: boolean;
}

export interface DestructiveChange extends Finding {
  readonly allowed: boolean;
}

export type Verdict = "pass" | "blocked";

export interface GuardReport {
  readonly env?: string;
  readonly terraformVersion: string;
  readonly formatVersion: string;
  readonly verdict: Verdict;
  readonly counts: ChangeCounts;
  /** Deletes, replacements and data-endangering updates: each blocks unless allowed. */
  readonly destructive: readonly DestructiveChange[];
  /** Other updates of stateful resources, and forgets: listed, never blocking. */
  readonly review: readonly Finding[];
  /** Allowed addresses that match no destructive change: stale allows to remove. */
  readonly unusedAllows: readonly string[];
  readonly driftCount: number;
  readonly deferredCount: number;
}

export interface AnalyzeOptions {
  /** Addresses whose destructive changes are accepted for this plan. */
  readonly allow: readonly string[];
  /** Environment name shown in summaries. */
  readonly env?: string;
}

function describeUnknownActions(actions: readonly string[]): string {
  return JSON.stringify(actions).slice(0, 80);
}

function classify(change: PlanResourceChange, index: number): ClassifiedAction {
  const action = classifyActions(change.actions);
  if (!action) {
    throw new PlanFormatError(
      `plan JSON: resource_changes[${index}].change.actions ${describeUnknownActions(change.actions)} ` +
        "is not an action list this guard knows; refusing to pass it",
    );
  }
  return action;
}

function toFinding(change: PlanResourceChange, action: ClassifiedAction): Finding {
  const endangers = action.kind === "update" || action.kind === "replace";
  return {
    address: change.address,
    type: change.type,
    holdsData: isStatefulType(change.type),
    kind: action.kind,
    action: describeAction(action),
    reason: change.actionReason,
    replacePaths: change.replacePaths.map((path) =>
      formatPath(path, change.beforeSensitive, change.afterSensitive),
    ),
    risks: endangers ? detectRisks(change) : [],
    deposed: change.deposed,
    importing: change.importing,
  };
}

function isDestructive(finding: Finding): boolean {
  if (finding.risks.length > 0) return true;
  return (finding.kind === "delete" || finding.kind === "replace") && !isStatelessType(finding.type);
}

function needsReview(finding: Finding): boolean {
  return finding.kind === "forget" || (finding.kind === "update" && finding.holdsData);
}

function countChanges(findings: readonly Finding[]): ChangeCounts {
  const count = (kind: ChangeKind) => findings.filter((f) => f.kind === kind).length;
  return {
    add: count("create"),
    change: count("update"),
    replace: count("replace"),
    destroy: count("delete"),
    import: findings.filter((f) => f.importing).length,
    forget: count("forget"),
    read: count("read"),
  };
}

/** Trims, drops empty entries and duplicates. */
export function normalizeAllows(allow: readonly string[]): string[] {
  return [...new Set(allow.map((address) => address.trim()).filter((address) => address !== ""))];
}

/**
 * Judges a `terraform show -json` plan. Pure: no I/O, no environment. Throws {@link PlanFormatError}
 * for anything that is not a complete plan in a supported format.
 */
export function analyzePlan(planJson: unknown, opts: AnalyzeOptions): GuardReport {
  const plan = readPlan(planJson);
  const allows = normalizeAllows(opts.allow);
  const findings = plan.resourceChanges.map((change, i) => toFinding(change, classify(change, i)));
  const destructive = findings
    .filter(isDestructive)
    .map((finding) => ({ ...finding, allowed: allows.includes(finding.address) }));
  const destructiveAddresses = new Set(destructive.map((change) => change.address));
  return {
    env: opts.env,
    terraformVersion: plan.terraformVersion,
    formatVersion: plan.formatVersion,
    verdict: destructive.every((change) => change.allowed) ? "pass" : "blocked",
    counts: countChanges(findings),
    destructive,
    review: findings.filter((finding) => !isDestructive(finding) && needsReview(finding)),
    unusedAllows: allows.filter((address) => !destructiveAddresses.has(address)),
    driftCount: plan.driftCount,
    deferredCount: plan.deferredCount,
  };
}

/** Splits `LAKESTACK_GUARD_ALLOW` (commas and/or whitespace between addresses). */
export function parseAllowList(value: string | undefined): string[] {
  return normalizeAllows((value ?? "").split(/[\s,]+/));
}
