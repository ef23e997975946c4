import type { App } from "cdktf";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError, type Diagnostic } from "../loader/diagnostics";
import {
  environmentNames,
  loadEnvironments,
  mergeConfig,
  type Environment,
  type LoadOptions,
} from "../loader/load";
import { REPO_ROOT } from "../paths";
import type { buildArtifacts } from "../stacks/artifacts";
import type { EnvironmentStack } from "../stacks/environment-stack";

export const CONFIG_DIR = join(REPO_ROOT, "config");

/** A throw-away config folder holding the given files. */
export function configFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lakestack-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads a config folder and returns the diagnostics it fails with (fails the test when it loads). */
export function diagnosticsOf(files: Record<string, string>, names?: string[]): Diagnostic[] {
  const dir = configFolder(files);
  try {
    loadEnvironments(dir, names);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.diagnostics];
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error("expected the config to be rejected");
}

export function referenceEnvironment(name: string): Environment {
  return loadEnvironments(CONFIG_DIR, [name])[0];
}

/**
 * A reference environment with YAML fields changed, e.g. `{ browser_ingest: { enabled: false } }`;
 * `options.workloadsRoot` names another folder of notebooks/ and sql/ (see `workloadsFolder`).
 */
export function variantEnvironment(
  name: string,
  changes: Record<string, unknown>,
  options: LoadOptions = {},
): Environment {
  const original = parse(readFileSync(join(CONFIG_DIR, `${name}.yaml`), "utf8")) as Record<string, unknown>;
  const dir = configFolder({
    "base.yaml": readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8"),
    [`${name}.yaml`]: stringify(mergeConfig(original, changes)),
  });
  try {
    return loadEnvironments(dir, [name], options)[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A throw-away workloads folder: the repo's notebooks/ and sql/ plus the given files, by path relative
 * to it (e.g. `notebooks/hourly.py`). Remove it after the suite.
 */
export function workloadsFolder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "lakestack-workloads-"));
  for (const folder of ["notebooks", "sql"]) {
    try {
      cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    } catch {
      mkdirSync(join(root, folder));
    }
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Synthesized Terraform JSON of one environment's stack. */
export type TerraformJson = {
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
  resource: Record<string, Record<string, any>>;
  output: Record<string, any>;
};

let artifacts: ReturnType<typeof buildArtifacts> | undefined;

/**
 * A cdktf App for a test, without the stack trace cdktf records for every token: under jest each trace
 * is mapped through source maps, which made those traces a tenth of the whole run's CPU time.
 */
export function testApp(): App {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Testing } = require("cdktf") as typeof import("cdktf");
  const { skipTokenCreationTraces } =
    require("../stacks/token-traces") as typeof import("../stacks/token-traces");
  /* eslint-enable @typescript-eslint/no-require-imports */
  skipTokenCreationTraces();
  return Testing.app();
}

/**
 * Builds and synthesizes one environment's stack. cdktf and the stack's modules load here, on first use:
 * a suite that never synthesizes (or finds its synthesis in the run's cache) never pays for them.
 */
export function synthStack(environment: Environment): { stack: EnvironmentStack; json: TerraformJson } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Testing } = require("cdktf") as typeof import("cdktf");
  const { buildArtifacts } = require("../stacks/artifacts") as typeof import("../stacks/artifacts");
  const { EnvironmentStack } =
    require("../stacks/environment-stack") as typeof import("../stacks/environment-stack");
  /* eslint-enable @typescript-eslint/no-require-imports */
  artifacts ??= buildArtifacts();
  const app = testApp();
  const stack = new EnvironmentStack(app, environment, { outDir: app.outdir, artifacts });
  return { stack, json: JSON.parse(Testing.synth(stack)) as TerraformJson };
}

/**
 * The Terraform of an environment, shared by every suite of one jest run: the first to ask synthesizes it,
 * the others read it from the run's cache (__tests__/run-folder.js). The key is everything the stack is
 * built from, so a variant never meets another's Terraform. `kind` says which rendering: the synthesized
 * JSON, or the stack's document before synthesis (what policy reads).
 */
function cachedSynthesis<T>(environment: Environment, kind: "json" | "document", make: () => T): T {
  const dir = process.env.LAKESTACK_TEST_SYNTH_CACHE;
  // A local state path is relative to the App's own folder, which differs per synthesis.
  if (!dir || environment.config.state.backend === "local") return make();
  const key = createHash("sha256")
    .update(
      JSON.stringify([
        kind,
        environment.name,
        environment.config,
        [...environment.workloads.notebooks.values()].map((w) => w.file),
        [...environment.workloads.sqlFiles.values()].map((w) => w.file),
      ]),
    )
    .digest("hex");
  const file = join(dir, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as T;
  const made = make();
  // Written whole, then renamed: another worker never reads half of it.
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(made));
  renameSync(`${file}.${process.pid}`, file);
  return made;
}

/** The synthesized Terraform JSON of an environment, from the run's cache when another suite made it. */
export function synthJson(environment: Environment): TerraformJson {
  return cachedSynthesis(environment, "json", () => synthStack(environment).json);
}

/** The stack's Terraform document as policy reads it (before synthesis), cached like synthJson. */
export function synthDocument<T>(environment: Environment): T {
  return cachedSynthesis(environment, "document", () => synthStack(environment).stack.toTerraform() as T);
}

/**
 * The environments' Terraform JSON, each synthesized once per suite on first use (in the suite's tests,
 * not at import, so a failure is reported against a test); iterating synthesizes every environment.
 */
export function referenceSynths(): { get(name: string): TerraformJson | undefined } & Iterable<
  [string, TerraformJson]
> {
  const synths = new Map<string, TerraformJson>();
  const get = (name: string) => {
    if (!synths.has(name)) synths.set(name, synthJson(referenceEnvironment(name)));
    return synths.get(name);
  };
  return {
    get,
    *[Symbol.iterator]() {
      for (const name of environmentNames(CONFIG_DIR)) yield [name, get(name)!] as [string, TerraformJson];
    },
  };
}

/** All resources of one Terraform type, by name. */
export function resources(json: TerraformJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

export function only(json: TerraformJson, type: string): any {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** An IAM policy document embedded as a JSON string. */
export function policy(text: string): { Statement: any[] } {
  return JSON.parse(text) as { Statement: any[] };
}

export function actionsOf(statement: { Action: string | string[] }): string[] {
  return [statement.Action].flat().sort();
}

/** git in a scratch repository, as a fixed author, without signing: `git(cwd, "commit", "-m", "x")`. */
export function git(cwd: string, ...args: string[]): string {
  const identity = ["-c", "user.name=lakestack", "-c", "user.email=lakestack@example.com"];
  return execFileSync("git", [...identity, "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
}
