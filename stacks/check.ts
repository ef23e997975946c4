import type { Diagnostic } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { policyDiagnostics } from "../policy";
import type { BuildArtifacts } from "./environment-stack";
import { visitStacks } from "./in-memory";

/**
 * Every policy finding of every environment, errors included, without writing Terraform: `validate`
 * reports them all at once where `synth` stops at the first environment with an error.
 */
export function checkEnvironments(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): Diagnostic[] {
  return visitStacks(environments, outDir, artifacts, (stack, environment) =>
    policyDiagnostics(stack, environment),
  ).flat();
}
