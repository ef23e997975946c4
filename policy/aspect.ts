/**
 * Policy at synth: an Aspect on each environment stack (cdktf 0.21 never visits Aspects added to the
 * App). It evaluates the whole stack when it visits the stack itself, because rules span resources.
 *
 * Error findings throw a ConfigError from inside synthesis instead of adding error Annotations: an
 * Annotation fails synth only while CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is unset, and loses the
 * YAML positions. The throw fails `app.synth()` and `Testing.synth()` alike, and the CLI prints the
 * ConfigError's diagnostics like any other config error.
 */
import { Aspects, type IAspect, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { ConfigError } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { evaluate, problems, toDiagnostics, type PolicyDiagnostic, type PolicyFinding } from "./engine";
import { ResourceIndex, type TerraformDocument } from "./resources";

/** Every finding for a stack that is ready to synthesize (its resources resolve to Terraform JSON). */
export function checkStack(stack: TerraformStack, environment: Environment): PolicyFinding[] {
  const resources = ResourceIndex.fromTerraform(stack.toTerraform() as TerraformDocument);
  return evaluate({ resources, environment });
}

/** Every finding for a stack's Terraform as a diagnostic (errors, warnings, acknowledged `info`). */
export function documentDiagnostics(
  document: TerraformDocument,
  environment: Environment,
): PolicyDiagnostic[] {
  return toDiagnostics(
    environment,
    evaluate({ resources: ResourceIndex.fromTerraform(document), environment }),
  );
}

/** For `validate`: every finding as a diagnostic (errors, warnings, acknowledged `info`), without synthesizing. */
export function policyDiagnostics(stack: TerraformStack, environment: Environment): PolicyDiagnostic[] {
  return toDiagnostics(environment, checkStack(stack, environment));
}

export class PolicyPack implements IAspect {
  private found: readonly PolicyDiagnostic[] = [];

  constructor(
    private readonly stack: TerraformStack,
    private readonly environment: Environment,
  ) {}

  /** What the last synthesis found: warnings and acknowledged findings (errors will have thrown). */
  get diagnostics(): readonly PolicyDiagnostic[] {
    return this.found;
  }

  visit(node: IConstruct): void {
    if (node !== this.stack) return;
    this.found = policyDiagnostics(this.stack, this.environment);
    if (this.found.some((d) => d.severity === "error")) throw new ConfigError(problems(this.found));
  }
}

/** Checks the stack at synthesis; returns the pack whose `diagnostics` hold the warnings afterwards. */
export function applyPolicy(stack: TerraformStack, environment: Environment): PolicyPack {
  const pack = new PolicyPack(stack, environment);
  Aspects.of(stack).add(pack);
  return pack;
}
