/**
 * Synthesis into cdktf.out, all or nothing: stacks are written to a staging folder next to the output
 * and swapped in only when every environment synthesized. A failed run leaves the previous output as it was.
 */
import { App } from "cdktf";
import { existsSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Environment } from "../config/load";
import { EnvironmentStack, type BuildArtifacts } from "./environment-stack";

/** What terraform leaves in a stack folder that must survive a re-synth: providers and their lock file. */
const KEPT_ACROSS_SYNTHS = [".terraform", ".terraform.lock.hcl"];

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly string[];
}

export function synthesize(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
): SynthResult {
  const target = resolve(outDir);
  const staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, stackTraces: false });
    for (const environment of environments)
      new EnvironmentStack(app, environment, { outDir: target, artifacts });
    app.synth();
    carryOverTerraformState(target, staging, environments);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  swapIn(staging, target);
  return { outDir: target, stacks: environments.map((e) => e.name) };
}

function carryOverTerraformState(previous: string, next: string, environments: readonly Environment[]): void {
  for (const { name } of environments) {
    for (const entry of KEPT_ACROSS_SYNTHS) {
      const from = join(previous, "stacks", name, entry);
      if (existsSync(from)) renameSafely(from, join(next, "stacks", name, entry));
    }
  }
}

function renameSafely(from: string, to: string): void {
  if (existsSync(dirname(to))) renameSync(from, to);
}

/** Two renames: the window where neither folder is in place is as short as the file system allows. */
function swapIn(staging: string, target: string): void {
  const retired = `${staging}.old`;
  if (existsSync(target)) renameSync(target, retired);
  renameSync(staging, target);
  rmSync(retired, { recursive: true, force: true });
}
