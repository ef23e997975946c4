/**
 * Synthesis into cdktf.out, all or nothing: stacks are written to a staging folder next to the output
 * and swapped in only when every environment synthesized. A failed run leaves the previous output as it was.
 */
import { App, TerraformElement, type TerraformStack } from "cdktf";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Diagnostic } from "../loader/diagnostics";
import type { Environment } from "../loader/load";
import { applyPolicy } from "../policy";
import { EnvironmentStack, type BuildArtifacts } from "./environment-stack";
import { skipTokenCreationTraces } from "./token-traces";

/** What terraform leaves in a stack folder that must survive a re-synth: providers and their lock file. */
const KEPT_ACROSS_SYNTHS = [".terraform", ".terraform.lock.hcl"];

interface Manifest {
  stacks: Record<string, unknown>;
}

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly string[];
  /** Policy warnings and acknowledged findings (error findings fail synthesis instead). */
  readonly findings: readonly Diagnostic[];
  /**
   * Settles once the previous output, already out of the way, is deleted. Node finishes it before the
   * process exits; await it only to see the folder gone (it never rejects: a folder that could not be
   * deleted is left as `.<output>.staging-<pid>.old-<random>`).
   */
  readonly retired: Promise<void>;
}

export interface SynthOptions {
  /**
   * Environments not synthesized this time whose previous stacks stay in the output (`synth --env dev`
   * leaves prod as it was). Stacks of environments in neither list are dropped. @default []
   */
  readonly keep?: readonly string[];
}

export function synthesize(
  environments: readonly Environment[],
  outDir: string,
  artifacts: BuildArtifacts,
  options: SynthOptions = {},
): SynthResult {
  skipTokenCreationTraces();
  const target = resolve(outDir);
  const staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}`);
  // `--out build/tf/cdktf.out` in a fresh checkout: the staging folder sits next to the output.
  mkdirSync(dirname(target), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  let findings: Diagnostic[];
  try {
    const app = new App({ outdir: staging, stackTraces: false });
    const packs = environments.map((environment) => {
      const stack = new EnvironmentStack(app, environment, { outDir: target, artifacts });
      skipCrossStackPreparation(stack);
      dropUndefinedBeforeResolving(stack);
      return applyPolicy(stack, environment);
    });
    app.synth();
    findings = packs.flatMap((pack) => [...pack.diagnostics]);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  // Until the swap nothing touches the previous output; what it must pass on is moved over afterwards.
  const previous = swapIn(staging, target);
  let retired = Promise.resolve();
  if (previous) {
    carryOver(previous, target, new Set(environments.map((e) => e.name)), new Set(options.keep ?? []));
    // Deleted file by file in parallel, not with rmSync: where deleting waits on the disk (a mount with
    // online discard, say), the output of 30 environments takes 0.1-0.3 s instead of 0.2-1.9 s.
    retired = rm(previous, { recursive: true, force: true }).catch(() => undefined);
  }
  return { outDir: target, stacks: environments.map((e) => e.name), findings, retired };
}

/**
 * Moves from the previous output what the new one must not lose: terraform's providers and lock file in
 * every re-synthesized stack, and the whole stacks of environments to keep.
 */
function carryOver(
  previous: string,
  next: string,
  synthesized: ReadonlySet<string>,
  keep: ReadonlySet<string>,
): void {
  const previousManifest = readManifest(previous);
  if (!previousManifest) return;
  const nextManifest = readManifest(next)!;
  let kept = false;
  for (const name of Object.keys(previousManifest.stacks)) {
    const from = join(previous, "stacks", name);
    const to = join(next, "stacks", name);
    if (!existsSync(from)) continue;
    if (synthesized.has(name)) {
      for (const entry of KEPT_ACROSS_SYNTHS) {
        if (existsSync(join(from, entry))) renameSync(join(from, entry), join(to, entry));
      }
    } else if (keep.has(name)) {
      renameSync(from, to);
      nextManifest.stacks[name] = previousManifest.stacks[name];
      kept = true;
    }
  }
  // Left as cdktf wrote it unless it must list kept stacks: the same synth gives the same bytes.
  if (kept) writeFileSync(join(next, "manifest.json"), JSON.stringify(nextManifest, null, 2));
}

function readManifest(outDir: string): Manifest | undefined {
  const file = join(outDir, "manifest.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Manifest) : undefined;
}

/**
 * Before writing any stack, cdktf resolves every token of every stack once more, only so that a reference
 * to another stack's resource can add an output there and a remote state here: a fifth of synthesis time.
 * An environment's stack is built from that environment alone and never references another one, so the
 * pass is skipped. Were that to change, plain cdktf synthesis would add those outputs, and the synthesis
 * test, which holds this output to it byte for byte, would fail.
 */
function skipCrossStackPreparation(stack: TerraformStack): void {
  stack.prepareStack = () => void stack.ensureBackendExists();
}

/**
 * Provider classes render every attribute their resource type has, most of them undefined, and cdktf's
 * resolver visits each one (resolving its key, building its path) only to leave it out. Leaving them out
 * first gives the same Terraform JSON for a quarter less resolving.
 */
function dropUndefinedBeforeResolving(stack: TerraformStack): void {
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof TerraformElement)) continue;
    const render = construct.toTerraform.bind(construct);
    construct.toTerraform = () => withoutUndefined(render());
  }
}

/** Plain objects and arrays copied without their undefined values; anything else (tokens) as it is. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(withoutUndefined);
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = withoutUndefined(item);
  return copy;
}

/**
 * Two renames: the window where neither folder is in place is as short as the file system allows.
 * Returns where the previous output now is, for the caller to take from and remove.
 */
function swapIn(staging: string, target: string): string | undefined {
  const retired = `${staging}.old-${randomBytes(4).toString("hex")}`;
  const hadPrevious = existsSync(target);
  if (hadPrevious) renameSync(target, retired);
  renameSync(staging, target);
  return hadPrevious ? retired : undefined;
}
