/** Shared fixtures of the delivery tests: the reference config, its variants, workflow files. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseDocument } from "yaml";
import { loadEnvironments, type Environment } from "../../loader/load";

export const ROOT = join(__dirname, "..", "..");
export const CONFIG_DIR = join(ROOT, "config");
export const WORKFLOW_DIR = join(ROOT, ".github", "workflows");

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lakestack-${prefix}-`));
}

export function referenceEnvironment(name: string): Environment {
  return loadEnvironments(CONFIG_DIR, [name])[0];
}

/** A reference environment with some YAML fields set, e.g. `[["browser_ingest", "enabled"], false]`. */
export function variantEnvironment(name: string, changes: [string[], unknown][]): Environment {
  const dir = scratchDir("variant");
  try {
    const doc = parseDocument(readFileSync(join(CONFIG_DIR, `${name}.yaml`), "utf8"));
    for (const [path, value] of changes) doc.setIn(path, value);
    writeFileSync(join(dir, "base.yaml"), readFileSync(join(CONFIG_DIR, "base.yaml")));
    writeFileSync(join(dir, `${name}.yaml`), String(doc));
    return loadEnvironments(dir, [name])[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 1-based line of a file. */
export function lineOf(file: string, line: number): string {
  return readFileSync(join(ROOT, file), "utf8").split("\n")[line - 1];
}

// ---------------------------------------------------------------------------------------------------
// Workflows

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
}

export interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string | { name: string };
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; "cancel-in-progress": boolean };
  readonly strategy?: { matrix: Record<string, unknown> };
  readonly env?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}

export interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly concurrency?: { group: string; "cancel-in-progress": boolean };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export const WORKFLOW_FILES = ["plan.yml", "deploy.yml", "drift.yml"] as const;

export function workflowText(file: string): string {
  return readFileSync(join(WORKFLOW_DIR, file), "utf8");
}

/** The workflow as GitHub reads it: anchors and aliases expanded. */
export function workflow(file: string): Workflow {
  return parse(workflowText(file)) as Workflow;
}

export function stepById(job: Job, id: string): Step {
  const step = job.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step with id ${id}`);
  return step;
}

/** The github-script step whose script contains the given text. */
export function scriptStep(job: Job): string {
  const step = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  if (!step) throw new Error("no github-script step");
  return String(step.with?.script);
}

/** Runs a step's bash script the way GitHub does (`bash -eo pipefail`), with the given environment. */
export function runStep(script: string, options: { cwd: string; env: Record<string, string> }) {
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    cwd: options.cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The script the workflows share: `bash .github/scripts/lakestack-ci.sh <subcommand> …`. */
export const CI_SCRIPT = join(ROOT, ".github", "scripts", "lakestack-ci.sh");

export function ciScriptText(): string {
  return readFileSync(CI_SCRIPT, "utf8");
}

/** Runs the shared script in `cwd` (a repository root) with the given environment. */
export function ciScript(args: string[], options: { cwd: string; env: Record<string, string> }) {
  const result = spawnSync("bash", [CI_SCRIPT, ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A throw-away repository root in `dir`: config/ holds the given files and, when given,
 * .github/deploy-order.txt the given text. Replaces what an earlier call made there.
 */
export function scratchRepo(dir: string, configFiles: Record<string, string>, deployOrder?: string): string {
  const repo = join(dir, "repo");
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(join(repo, "config"), { recursive: true });
  for (const [name, text] of Object.entries(configFiles)) writeFileSync(join(repo, "config", name), text);
  if (deployOrder !== undefined) {
    mkdirSync(join(repo, ".github"));
    writeFileSync(join(repo, ".github", "deploy-order.txt"), deployOrder);
  }
  return repo;
}

/** `key=value` lines a step wrote to $GITHUB_OUTPUT. */
export function stepOutputs(file: string): Record<string, string> {
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

type AsyncScript = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => AsyncScript;

/** Runs an actions/github-script script as the action does: an async function of github, context, core, require. */
export async function runGithubScript(
  script: string,
  scope: { github: unknown; context: unknown; core: unknown; env: Record<string, string> },
): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, scope.env);
  try {
    await new AsyncFunction("github", "context", "core", "require", script)(
      scope.github,
      scope.context,
      scope.core,
      require,
    );
  } finally {
    for (const key of Object.keys(scope.env)) {
      if (key in saved) process.env[key] = saved[key];
      else delete process.env[key];
    }
  }
}

/** A stand-in for actions/core: remembers outputs, failures and messages. */
export function fakeCore() {
  const outputs: Record<string, string> = {};
  const failures: string[] = [];
  const messages: string[] = [];
  return {
    outputs,
    failures,
    messages,
    setOutput: (name: string, value: string) => void (outputs[name] = value),
    setFailed: (message: string) => void failures.push(message),
    info: (message: string) => void messages.push(message),
    warning: (message: string) => void messages.push(`warning: ${message}`),
  };
}
