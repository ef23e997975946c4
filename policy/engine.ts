/**
 * Runs rules, applies the environment's waivers, and turns findings into diagnostics at YAML positions.
 */
import { closest, dottedPath, type Diagnostic } from "../loader/diagnostics";
import type { Environment, Position } from "../loader/load";
import { ALL_RULES, isChangeRule, POLICY_RULES, WAIVER_RULE } from "./registry";
import { byCodeUnits } from "./resources";
import type { PolicyContext, RuleSeverity } from "./rule";

/** An acknowledged (waived) finding is `info`: reported, never failing. */
export type FindingSeverity = RuleSeverity | "info";

export interface PolicyFinding {
  readonly rule: string;
  readonly severity: FindingSeverity;
  /** Terraform address, or dotted YAML path for findings about a YAML value. */
  readonly resource: string;
  readonly message: string;
  readonly fix: string;
  /** The YAML field that causes it, when the cause is in config. */
  readonly path?: readonly PropertyKey[];
  /** Where to report it when that is not in this environment's files (an entry a change removed). */
  readonly position?: Position;
  /** The waiver acknowledging it: its name under the environment's `waivers`, and its reason. */
  readonly waiver?: { readonly name: string; readonly reason: string };
}

/** A Diagnostic whose severity may also be `info` (acknowledged findings). */
export type PolicyDiagnostic = Omit<Diagnostic, "severity" | "rule"> & {
  readonly severity: FindingSeverity;
  readonly rule: string;
};

/** Every finding of the policy rules for one stack, waivers applied. */
export function evaluate(context: PolicyContext): PolicyFinding[] {
  const findings = POLICY_RULES.flatMap((rule) =>
    rule.check(context).map((v) => ({
      rule: rule.id,
      severity: rule.severity,
      resource: v.resource,
      message: v.message,
      fix: rule.fix,
      path: v.path,
      position: v.position,
    })),
  );
  const known = [...context.resources.all.map((r) => r.address), ...findings.map((f) => f.resource)];
  // Change waivers acknowledge `validate --against` findings; a stack alone cannot tell whether they match.
  // Unknown rule ids are in scope here, so they are reported once.
  return applyWaivers(context.environment, findings, (rule) => !isChangeRule(rule), known);
}

/**
 * Marks findings a waiver names (same rule, same resource) as acknowledged, and reports each waiver whose
 * rule is `inScope` and that names no known rule or matches no finding.
 */
export function applyWaivers(
  environment: Environment,
  findings: readonly PolicyFinding[],
  inScope: (rule: string) => boolean,
  knownResources: readonly string[],
): PolicyFinding[] {
  const waivers = Object.entries(environment.config.waivers);
  type Waiver = (typeof waivers)[number][1];
  const matches = (w: Waiver, f: PolicyFinding) => w.rule === f.rule && w.resource === f.resource;
  const acknowledged = findings.map((f): PolicyFinding => {
    const found = waivers.find(([, w]) => matches(w, f));
    return found ? { ...f, severity: "info", waiver: { name: found[0], reason: found[1].reason } } : f;
  });
  const unmatched = waivers.flatMap(([name, w]): PolicyFinding[] => {
    const waiverFinding = (message: string, path: PropertyKey[]): PolicyFinding => ({
      rule: WAIVER_RULE.id,
      severity: WAIVER_RULE.severity,
      resource: w.resource,
      message,
      fix: WAIVER_RULE.fix,
      path,
    });
    if (!inScope(w.rule)) return [];
    const ids = ALL_RULES.map((r) => r.id);
    if (!ids.includes(w.rule)) {
      const hint = closest(w.rule, ids);
      return [
        waiverFinding(`waiver names no rule '${w.rule}'${hint ? `; did you mean '${hint}'?` : ""}`, [
          "waivers",
          name,
          "rule",
        ]),
      ];
    }
    if (findings.some((f) => matches(w, f))) return [];
    const hint = closest(w.resource, knownResources);
    const near = hint && hint !== w.resource ? `; did you mean '${hint}'?` : "";
    return [
      waiverFinding(`waiver for ${w.rule} matches no finding in environment '${environment.name}'${near}`, [
        "waivers",
        name,
      ]),
    ];
  });
  return [...acknowledged, ...unmatched];
}

const ORDER: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Findings as diagnostics: at the YAML that causes them (or the waiver that acknowledges them), else line 1. */
export function toDiagnostics(
  environment: Environment,
  findings: readonly PolicyFinding[],
): PolicyDiagnostic[] {
  return [...findings]
    .sort(
      (a, b) =>
        ORDER[a.severity] - ORDER[b.severity] ||
        byCodeUnits(a.rule, b.rule) ||
        byCodeUnits(a.resource, b.resource),
    )
    .map((f) => {
      const path = f.waiver ? ["waivers", f.waiver.name] : f.path;
      const position: Position =
        (f.waiver ? undefined : f.position) ??
        (path ? environment.locate(path) : { file: environment.file, line: 1, col: 1 });
      const subject = path && dottedPath(path) === f.resource ? "" : `${f.resource}: `;
      const text = f.waiver
        ? `acknowledged: ${f.message} (waiver: ${f.waiver.reason})`
        : `${f.message}; fix: ${f.fix}`;
      // Positions in base.yaml are shared by every environment: say which one this is about.
      const scope = position.file === environment.file ? "" : `[${environment.name}] `;
      return {
        ...position,
        path: path ? dottedPath(path) : "",
        message: `${scope}${subject}${text}`,
        severity: f.severity,
        rule: f.rule,
      };
    });
}

/** The diagnostics a ConfigError can carry: errors and warnings (acknowledged findings are not problems). */
export function problems(diagnostics: readonly PolicyDiagnostic[]): Diagnostic[] {
  return diagnostics.flatMap((d) => (d.severity === "info" ? [] : [{ ...d, severity: d.severity }]));
}
