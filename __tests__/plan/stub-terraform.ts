import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A stand-in Terraform: records each call, prints what the STUB_* variables say, writes the -out
 * plan file, prints a fixture for `show -json` (STUB_SHOW_FILE) and for `output -json` (STUB_OUTPUT_FILE,
 * else `{}`) and for `version -json` (STUB_VERSION_JSON, else 1.10.5), and exits with the configured code per command (STUB_EXIT_<COMMAND>).
 */
const STUB_SCRIPT = `#!/usr/bin/env node
const fs = require("node:fs");
const [command, ...args] = process.argv.slice(2);
const env = process.env;
const key = command.toUpperCase();
fs.appendFileSync(env.STUB_LOG, JSON.stringify({ command, args, cwd: process.cwd(), tfInAutomation: env.TF_IN_AUTOMATION }) + "\\n");
if (env["STUB_STDERR_" + key]) process.stderr.write(env["STUB_STDERR_" + key]);
if (command === "show") {
  process.stdout.write(fs.readFileSync(env.STUB_SHOW_FILE));
} else if (command === "version") {
  process.stdout.write(env.STUB_VERSION_JSON || '{"terraform_version":"1.10.5"}');
} else if (command === "output") {
  process.stdout.write(env.STUB_OUTPUT_FILE ? fs.readFileSync(env.STUB_OUTPUT_FILE) : "{}");
} else {
  process.stdout.write("stub " + command + " says hello\\n");
}
const out = args.find((arg) => arg.startsWith("-out="));
if (out) fs.writeFileSync(out.slice("-out=".length), "binary plan");
process.exitCode = Number(env["STUB_EXIT_" + key] || 0);
`;

export interface StubCall {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly tfInAutomation?: string;
}

export interface StubTerraform {
  /** Holds the stub binary; put it first on PATH. */
  readonly binDir: string;
  /** A synthesized-looking stack directory (it has a cdk.tf.json). */
  readonly stackDir: string;
  readonly root: string;
  /** Environment for runPlan: PATH with the stub first, plus the STUB_* settings given. */
  env(settings?: Record<string, string>): NodeJS.ProcessEnv;
  calls(): StubCall[];
  remove(): void;
}

export function createStubTerraform(binaryName = "terraform"): StubTerraform {
  const root = mkdtempSync(join(tmpdir(), "lakestack-plan-"));
  const binDir = join(root, "bin");
  const stackDir = join(root, "cdktf.out", "stacks", "dev");
  const logFile = join(root, "calls.jsonl");
  mkdirSync(binDir);
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(join(stackDir, "cdk.tf.json"), "{}\n");
  writeFileSync(join(binDir, binaryName), STUB_SCRIPT);
  chmodSync(join(binDir, binaryName), 0o755);
  writeFileSync(logFile, "");
  return {
    binDir,
    stackDir,
    root,
    env: (settings = {}) => ({
      PATH: `${binDir}:${process.env.PATH ?? ""}`,
      HOME: root,
      STUB_LOG: logFile,
      ...settings,
    }),
    calls: () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as StubCall),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
