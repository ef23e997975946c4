import type { Diagnostic } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { documentDiagnostics } from "../policy";
import type { TerraformDocument } from "../policy/resources";
import type { BuildArtifacts } from "./environment-stack";
import { visitStacks } from "./in-memory";

/** The Terraform each environment synthesizes to, by environment name, without writing it anywhere. */
export function terraformDocuments(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): Map<string, TerraformDocument> {
  return new Map(
    visitStacks(environments, outDir, artifacts, (stack, environment) => [
      environment.name,
      stack.toTerraform() as TerraformDocument,
    ]),
  );
}

/**
 * Every policy finding of every environment, errors included, without writing Terraform: `validate`
 * reports them all at once where `synth` stops at the first environment with an error. Also returns the
 * Terraform it checked, for callers that compare it with another version.
 */
export function checkEnvironmentDocuments(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): { findings: Diagnostic[]; documents: Map<string, TerraformDocument> } {
  const documents = terraformDocuments(environments, outDir, artifacts);
  const findings = environments.flatMap((environment) =>
    documentDiagnostics(documents.get(environment.name)!, environment),
  );
  return { findings, documents };
}

/** Every policy finding of every environment, errors included, without writing Terraform. */
export function checkEnvironments(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): Diagnostic[] {
  return checkEnvironmentDocuments(environments, outDir, artifacts).findings;
}
