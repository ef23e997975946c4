/**
 * `lakestack plan`: init, plan to a saved file, show it as JSON, then guard it. Terraform's own output
 * streams to stderr; the guard's summary goes to stdout and, optionally, a Markdown file for CI.
 */
import { appendFileSync, existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  analyzePlan,
  MARKDOWN_MARKER,
  parsePlanText,
  PlanFormatError,
  renderConsole,
  renderMarkdown,
  type GuardReport,
} from "../guard";
import { markdownText } from "../guard/text";
import { missingBinaryMessage, notExecutableMessage, resolveTerraformBinary } from "./binary";
import { diagnoseFailure, type FailureContext } from "./diagnose";
import { processOutput, type Output } from "./output";
import { runTool, type ToolRun } from "./run-tool";

/** Saved plan and its JSON, written inside the stack directory (already ignored by git). */
export const PLAN_FILE_NAME = "tfplan";
export const PLAN_JSON_FILE_NAME = "plan.json";
export const DEFAULT_LOCK_TIMEOUT = "5m";

export interface PlanOptions {
  /** Environment name, for summaries and hints. */
  readonly env: string;
  /** The synthesized stack, e.g. `cdktf.out/stacks/dev`. */
  readonly stackDir: string;
  /** Binary to run; falls back to `TERRAFORM_BINARY_NAME`, then `terraform`. */
  readonly tfBin?: string;
  /** Addresses whose destructive changes are accepted. */
  readonly allow: readonly string[];
  /** Also write the guard's Markdown summary here. */
  readonly markdownFile?: string;
  /** Exit 2 when the plan has changes, like `terraform plan -detailed-exitcode`. @default false */
  readonly detailedExitcode?: boolean;
  /** How long to wait for the state lock. @default "5m" */
  readonly lockTimeout?: string;
  /**
   * Take the state lock. Plans that only read (pull requests, drift checks) pass false: they run with
   * `-lock=false`, so code under review can neither hold nor break the lock of a running deploy.
   * @default true
   */
  readonly lock?: boolean;
  /**
   * Write Terraform's own output here (owner-readable only) instead of to stderr: its plan text can quote
   * sensitive values, so CI keeps it out of job logs. A failing step still prints its errors (stderr).
   * @default - Terraform's output streams to stderr
   */
  readonly terraformLog?: string;
  /** Environment for Terraform (credentials, PATH). @default process.env */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** @default process.stdout / process.stderr */
  readonly output?: Output;
  /** Plan the destruction of everything in the state (`plan -destroy`). @default false */
  readonly destroy?: boolean;
  /** What to print on stdout once the plan was read. @default the guard's summary */
  readonly summary?: (report: GuardReport) => string;
}

/**
 * 0: no changes, or changes without `detailedExitcode`; 1: the plan could not be made or read;
 * 2: changes present (with `detailedExitcode`); 3: the guard blocked the plan. Blocked has its own code
 * so that CI can tell destructive changes (drift included) from a plan that failed.
 */
export type PlanExitCode = 0 | 1 | 2 | 3;

export const PLAN_EXIT = { ok: 0, failed: 1, changes: 2, blocked: 3 } as const;

interface PlanFiles {
  /** The saved binary plan: `terraform apply tfplan` in the stack directory applies exactly it. */
  readonly planFile: string;
  /** `terraform show -json` of it. Holds sensitive values: written owner-readable only. */
  readonly planJsonFile: string;
}

export interface PlanResult extends PlanFiles {
  readonly exitCode: PlanExitCode;
  /** Terraform reported changes (its `-detailed-exitcode` 2). */
  readonly changesPresent: boolean;
  /** Present when the plan was produced and read. */
  readonly report?: GuardReport;
  /** One-line reason when Terraform or the plan file failed. */
  readonly failure?: string;
}

/** A failure with a message for the user; anything else escaping runPlan (or apply) is a bug. */
export class PlanFailure extends Error {
  constructor(
    message: string,
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface StepContext extends FailureContext {
  readonly processEnv: NodeJS.ProcessEnv;
  readonly output: Output;
  /** Where Terraform's output goes when it stays off the terminal. */
  readonly terraformLog?: string;
}

function spawnFailure(error: unknown, binary: string): PlanFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new PlanFailure(missingBinaryMessage(binary));
  if (code === "EACCES") return new PlanFailure(notExecutableMessage(binary));
  return new PlanFailure(`could not start ${binary}: ${(error as Error).message}`);
}

function describeExit(run: ToolRun): string {
  return run.signal ? `stopped by ${run.signal}` : `exit code ${run.exitCode}`;
}

export async function terraformStep(
  context: StepContext,
  args: readonly string[],
  step: { acceptedExitCodes: readonly number[]; captureStdout?: boolean },
): Promise<ToolRun> {
  context.output.err(`$ ${context.binary} ${args.join(" ")}\n`);
  const { terraformLog } = context;
  let run: ToolRun;
  try {
    run = await runTool(context.binary, args, {
      cwd: context.stackDir,
      // TF_IN_AUTOMATION drops Terraform's "now run terraform apply" advice, which does not apply here.
      env: { ...context.processEnv, TF_IN_AUTOMATION: "1" },
      echo: terraformLog
        ? (text) => appendFileSync(terraformLog, text, { mode: 0o600 })
        : (text) => context.output.err(text),
      captureStdout: step.captureStdout,
    });
  } catch (error) {
    throw spawnFailure(error, context.binary);
  }
  if (run.exitCode !== null && step.acceptedExitCodes.includes(run.exitCode)) return run;
  // Kept off the terminal, Terraform's errors still print: its stderr holds them, never the plan text.
  if (terraformLog && run.stderrTail)
    context.output.err(run.stderrTail.endsWith("\n") ? run.stderrTail : `${run.stderrTail}\n`);
  throw new PlanFailure(
    `${context.binary} ${args[0]} failed (${describeExit(run)})`,
    diagnoseFailure(run.outputTail, context),
  );
}

function checkStackDir(stackDir: string): void {
  if (!existsSync(stackDir) || !statSync(stackDir).isDirectory()) {
    throw new PlanFailure(`stack directory ${stackDir} does not exist: synthesize the environment first`);
  }
  if (!existsSync(join(stackDir, "cdk.tf.json"))) {
    throw new PlanFailure(`${stackDir} has no cdk.tf.json: synthesize the environment first`);
  }
}

function writePrivateFile(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o600 });
  } catch (error) {
    throw new PlanFailure(`cannot write ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}

function analyzeShownPlan(showOutput: string, options: PlanOptions): GuardReport {
  try {
    return analyzePlan(parsePlanText(showOutput, "terraform show -json output"), {
      allow: options.allow,
      env: options.env,
    });
  } catch (error) {
    if (error instanceof PlanFormatError) throw new PlanFailure(error.message);
    throw error;
  }
}

/** The PR comment for an environment whose plan could not be produced. */
export function renderPlanFailureMarkdown(env: string, failure: string, hints: readonly string[]): string {
  return [
    MARKDOWN_MARKER,
    `### lakestack plan guard: ❌ ${markdownText(env)} could not be planned`,
    "",
    markdownText(failure),
    ...hints.map((hint) => `- ${markdownText(hint)}`),
    "",
    "Terraform's errors are in the workflow log.",
    "",
  ].join("\n");
}

/** The exit code of a plan that was made and read; one that could not be made exits {@link PLAN_EXIT.failed}. */
export function planExitCode(outcome: {
  readonly blocked: boolean;
  readonly changesPresent: boolean;
  readonly detailedExitcode: boolean;
}): PlanExitCode {
  if (outcome.blocked) return PLAN_EXIT.blocked;
  return outcome.changesPresent && outcome.detailedExitcode ? PLAN_EXIT.changes : PLAN_EXIT.ok;
}

async function planAndGuard(options: PlanOptions, context: StepContext, planJsonFile: string) {
  checkStackDir(context.stackDir);
  // A stale plan from an earlier run must never be mistaken for this one's.
  rmSync(join(context.stackDir, PLAN_FILE_NAME), { force: true });
  rmSync(planJsonFile, { force: true });
  await terraformStep(context, ["init", "-input=false"], { acceptedExitCodes: [0] });
  const planned = await terraformStep(
    context,
    [
      "plan",
      ...(options.destroy ? ["-destroy"] : []),
      "-input=false",
      options.lock === false ? "-lock=false" : `-lock-timeout=${options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT}`,
      `-out=${PLAN_FILE_NAME}`,
      "-detailed-exitcode",
    ],
    { acceptedExitCodes: [0, 2] },
  );
  const shown = await terraformStep(context, ["show", "-json", PLAN_FILE_NAME], {
    acceptedExitCodes: [0],
    captureStdout: true,
  });
  writePrivateFile(planJsonFile, shown.stdout);
  return { report: analyzeShownPlan(shown.stdout, options), changesPresent: planned.exitCode === 2 };
}

interface Attempt {
  readonly result: PlanResult;
  readonly markdown: string;
}

async function attemptPlan(options: PlanOptions, context: StepContext, files: PlanFiles): Promise<Attempt> {
  try {
    const { report, changesPresent } = await planAndGuard(options, context, files.planJsonFile);
    context.output.out((options.summary ?? renderConsole)(report));
    context.output.err(
      `saved plan: ${files.planFile}\nplan JSON (holds sensitive values): ${files.planJsonFile}\n`,
    );
    const exitCode = planExitCode({
      blocked: report.verdict === "blocked",
      changesPresent,
      detailedExitcode: options.detailedExitcode ?? false,
    });
    return { result: { exitCode, changesPresent, report, ...files }, markdown: renderMarkdown([report]) };
  } catch (error) {
    if (!(error instanceof PlanFailure)) throw error;
    context.output.err(failureLines("plan", error));
    return {
      result: { exitCode: PLAN_EXIT.failed, changesPresent: false, failure: error.message, ...files },
      markdown: renderPlanFailureMarkdown(options.env, error.message, error.hints),
    };
  }
}

/** Terraform runs inside the stack directory, so a relative `--tf-bin ./bin/terraform` is resolved first. */
function pathFromHere(binary: string): string {
  return binary.includes("/") ? resolve(binary) : binary;
}

/**
 * Plans one synthesized environment and guards the result. Resolves with the exit code to use:
 * Terraform failures, a missing binary and unreadable plans resolve with exit code 1 and a message;
 * a plan the guard blocks resolves with 3. Rejects only on a bug.
 */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const output = options.output ?? processOutput;
  const context: StepContext = {
    ...stepContext({ ...options, output }),
    terraformLog: options.terraformLog && resolve(options.terraformLog),
  };
  const { stackDir } = context;
  if (context.terraformLog) rmSync(context.terraformLog, { force: true });
  const files = {
    planFile: join(stackDir, PLAN_FILE_NAME),
    planJsonFile: join(stackDir, PLAN_JSON_FILE_NAME),
  };
  const { result, markdown } = await attemptPlan(options, context, files);
  if (!options.markdownFile) return result;
  try {
    writeFileSync(options.markdownFile, markdown);
    return result;
  } catch (error) {
    const failure = `cannot write the Markdown summary to ${options.markdownFile} (${(error as NodeJS.ErrnoException).code})`;
    output.err(`lakestack plan: ${failure}\n`);
    return { ...result, exitCode: PLAN_EXIT.failed, failure };
  }
}

/** What Terraform steps run against: a synthesized stack. */
export interface TerraformTarget {
  readonly env: string;
  /** The synthesized stack, e.g. `cdktf.out/stacks/dev`. */
  readonly stackDir: string;
  /** Binary to run; falls back to `TERRAFORM_BINARY_NAME`, then `terraform`. */
  readonly tfBin?: string;
  /** @default process.env */
  readonly processEnv?: NodeJS.ProcessEnv;
  readonly output: Output;
}

/** A failed step as the user reads it: one line, then one line per hint. */
export function failureLines(command: string, failure: PlanFailure): string {
  return `${[`lakestack ${command}: ${failure.message}`, ...failure.hints.map((hint) => `  hint: ${hint}`)].join("\n")}\n`;
}

/** The context Terraform steps run in: planning, and the apply or destroy after it. */
export function stepContext(options: TerraformTarget): StepContext {
  const processEnv = options.processEnv ?? process.env;
  return {
    env: options.env,
    binary: pathFromHere(resolveTerraformBinary(options.tfBin, processEnv)),
    stackDir: resolve(options.stackDir),
    processEnv,
    output: options.output,
  };
}
