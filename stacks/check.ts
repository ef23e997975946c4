import { App } from "cdktf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Diagnostic } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { policyDiagnostics } from "../policy";
import { EnvironmentStack, type BuildArtifacts } from "./environment-stack";
import { skipTokenCreationTraces } from "./token-traces";

/**
 * Every policy finding of every environment, errors included, without writing Terraform: `validate`
 * reports them all at once where `synth` stops at the first environment with an error.
 */
export function checkEnvironments(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): Diagnostic[] {
  skipTokenCreationTraces();
  // The App insists on an output folder; nothing is written into it.
  const scratch = mkdtempSync(join(tmpdir(), "lakestack-validate-"));
  try {
    const app = new App({ outdir: scratch, stackTraces: false });
    return environments.flatMap((environment) =>
      policyDiagnostics(new EnvironmentStack(app, environment, { outDir, artifacts }), environment),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
