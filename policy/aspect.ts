/**
 * Policy at synth: the rules check the very Terraform JSON synthesis writes. `applyPolicy` wraps the
 * stack's `toTerraform()`, which synthesis calls once per stack, so every token is resolved once; an
 * Aspect would have to render the stack itself beforehand, resolving every token a second time.
 *
 * Error findings throw a ConfigError from inside synthesis instead of adding error Annotations: an
 * Annotation fails synth only while CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is unset, and loses the
 * YAML positions. The throw fails `app.synth()` and `Testing.synth()` alike, before the stack's file is
 * written, and the CLI prints the ConfigError's diagnostics like any other config error.
 */
import type { TerraformStack } from "cdktf";
import { ConfigError } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { evaluate, problems, toDiagnostics, type PolicyDiagnostic } from "./engine";
import { ResourceIndex, type TerraformDocument } from "./resources";

/** The stacks `applyPolicy` checks at synthesis, and how to render each without that check. */
const unchecked = new WeakMap<TerraformStack, () => unknown>();

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

/** Every finding as a diagnostic for a stack that is ready to synthesize, without synthesizing it. */
export function policyDiagnostics(stack: TerraformStack, environment: Environment): PolicyDiagnostic[] {
  const render = unchecked.get(stack) ?? (() => stack.toTerraform());
  return documentDiagnostics(render() as TerraformDocument, environment);
}

export class PolicyPack {
  private found: readonly PolicyDiagnostic[] = [];

  constructor(private readonly environment: Environment) {}

  /** What the last synthesis found: warnings and acknowledged findings (errors will have thrown). */
  get diagnostics(): readonly PolicyDiagnostic[] {
    return this.found;
  }

  /** Checks a stack's Terraform JSON; throws a ConfigError when a finding is an error. */
  check(document: TerraformDocument): void {
    this.found = documentDiagnostics(document, this.environment);
    if (this.found.some((d) => d.severity === "error")) throw new ConfigError(problems(this.found));
  }
}

/** Checks the stack at synthesis; returns the pack whose `diagnostics` hold the warnings afterwards. */
export function applyPolicy(stack: TerraformStack, environment: Environment): PolicyPack {
  const pack = new PolicyPack(environment);
  const render = stack.toTerraform.bind(stack);
  unchecked.set(stack, render);
  stack.toTerraform = () => {
    const document = render();
    pack.check(document as TerraformDocument);
    return document;
  };
  return pack;
}
