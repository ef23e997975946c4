import type { Environment, Position } from "../loader/load";
import type { ResourceIndex } from "./resources";

export type RuleSeverity = "error" | "warning";

/** What a rule reads: one stack's synthesized resources and the environment they came from. */
export interface PolicyContext {
  readonly resources: ResourceIndex;
  /** Mode, derived names (to tell the declared site bucket from others) and YAML positions. */
  readonly environment: Environment;
}

/** One thing a rule found wrong. */
export interface Violation {
  /** Terraform address, or the dotted YAML path for findings about a YAML value. Waivers match it. */
  readonly resource: string;
  readonly message: string;
  /** The YAML field that causes it, when the cause is in config: the finding is reported there. */
  readonly path?: readonly PropertyKey[];
  /** Where to report it when the cause is in a file but no field (a YAML comment). */
  readonly position?: Position;
}

export interface RuleInfo {
  /** Stable id, e.g. `LS-S3-1`: waivers and people refer to it. */
  readonly id: string;
  readonly severity: RuleSeverity;
  /** What it checks, one line. */
  readonly title: string;
  /** Why it matters, one line. */
  readonly why: string;
  /** How to comply, one line. */
  readonly fix: string;
}

/** A policy rule: a pure function from a stack's resources to what is wrong with them. */
export interface Rule extends RuleInfo {
  readonly check: (context: PolicyContext) => Violation[];
}

/** True in production mode, where rules about protecting data and identities apply. */
export function isProduction(context: PolicyContext): boolean {
  return context.environment.config.mode === "production";
}
