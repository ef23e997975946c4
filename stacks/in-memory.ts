import { App } from "cdktf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Environment } from "../loader/load";
import { EnvironmentStack, type BuildArtifacts } from "./environment-stack";
import { skipTokenCreationTraces } from "./token-traces";

/**
 * Builds each environment's stack in an App whose output folder is thrown away, and hands every stack
 * to `visit`: for reading the Terraform it would write (policy, cost) without writing cdktf.out.
 * `outDir` is where stacks normally go; a local state path is made relative to it, as at synth.
 */
export function visitStacks<T>(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
  visit: (stack: EnvironmentStack, environment: Environment) => T,
): T[] {
  skipTokenCreationTraces();
  // The App insists on an output folder; nothing is written into it.
  const scratch = mkdtempSync(join(tmpdir(), "lakestack-stacks-"));
  try {
    const app = new App({ outdir: scratch, stackTraces: false });
    return environments.map((environment) =>
      visit(new EnvironmentStack(app, environment, { outDir, artifacts }), environment),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
