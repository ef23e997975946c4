/**
 * Runs the lakestack CLI the two ways tests need: in this process (fast: no Node start-up, no module
 * loading), or as a real child process where the process boundary is what a test checks (exit codes as
 * the shell sees them, what reaches stdout versus stderr, no stack traces).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { EXIT_INTERNAL, parseProgram } from "../cli/runner";
import { buildProgram } from "../main";
import { REPO_ROOT } from "../paths";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real `bin/lakestack` in a child process, run from `cwd`. */
export function lakestackProcess(cwd: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "lakestack"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, LAKESTACK_DEBUG: "" },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same program in this process, run from `cwd`, with stdout, stderr and the exit code captured. Runs
 * must not overlap (they share the working directory and the process's streams): await each one.
 */
export async function lakestack(cwd: string, ...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }) as typeof process.stdout.write;
  const previous = { cwd: process.cwd(), exitCode: process.exitCode };
  process.chdir(cwd);
  process.exitCode = undefined;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code: number;
  try {
    code = await parseProgram(buildProgram(), ["node", "lakestack", ...args]);
  } catch (error) {
    err.push(`lakestack: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = EXIT_INTERNAL;
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(previous.cwd);
    process.exitCode = previous.exitCode;
  }
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** A line of a stack trace, which no user-facing message may contain. */
export const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;
