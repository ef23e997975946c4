/**
 * One Terraform command in a stack directory, as every lakestack command that drives Terraform runs it:
 * echoed, its output streamed to stderr (or captured when it prints secrets), its failures turned into
 * one message with the hints diagnose.ts knows.
 */
import { resolve } from "node:path";
import { missingBinaryMessage, notExecutableMessage, resolveTerraformBinary } from "./binary";
import { diagnoseFailure, type FailureContext } from "./diagnose";
import type { Output } from "./output";
import { runTool, type ToolRun } from "./run-tool";

/** A failure with a message for the user; anything else escaping a Terraform command is a bug. */
export class TerraformFailure extends Error {
  constructor(
    message: string,
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface TerraformContext extends FailureContext {
  readonly processEnv: NodeJS.ProcessEnv;
  readonly output: Output;
}

export interface TerraformTarget {
  readonly env: string;
  /** The synthesized stack, e.g. `cdktf.out/stacks/dev`. */
  readonly stackDir: string;
  /** Binary to run; falls back to `TERRAFORM_BINARY_NAME`, then `terraform`. */
  readonly tfBin?: string;
  /** @default process.env */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** @default process.stdout / process.stderr */
  readonly output: Output;
}

/** Terraform runs inside the stack directory, so a relative `--tf-bin ./bin/terraform` is resolved first. */
function pathFromHere(binary: string): string {
  return binary.includes("/") ? resolve(binary) : binary;
}

export function terraformContext(target: TerraformTarget): TerraformContext {
  const processEnv = target.processEnv ?? process.env;
  return {
    env: target.env,
    binary: pathFromHere(resolveTerraformBinary(target.tfBin, processEnv)),
    stackDir: resolve(target.stackDir),
    processEnv,
    output: target.output,
  };
}

function spawnFailure(error: unknown, binary: string): TerraformFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new TerraformFailure(missingBinaryMessage(binary));
  if (code === "EACCES") return new TerraformFailure(notExecutableMessage(binary));
  return new TerraformFailure(`could not start ${binary}: ${(error as Error).message}`);
}

function describeExit(run: ToolRun): string {
  return run.signal ? `stopped by ${run.signal}` : `exit code ${run.exitCode}`;
}

/** Runs `<binary> <args>` in the stack directory; throws {@link TerraformFailure} on an unaccepted exit. */
export async function terraformStep(
  context: TerraformContext,
  args: readonly string[],
  step: { acceptedExitCodes: readonly number[]; captureStdout?: boolean },
): Promise<ToolRun> {
  context.output.err(`$ ${context.binary} ${args.join(" ")}\n`);
  let run: ToolRun;
  try {
    run = await runTool(context.binary, args, {
      cwd: context.stackDir,
      // TF_IN_AUTOMATION drops Terraform's "now run terraform apply" advice, which does not apply here.
      env: { ...context.processEnv, TF_IN_AUTOMATION: "1" },
      echo: (text) => context.output.err(text),
      captureStdout: step.captureStdout,
    });
  } catch (error) {
    throw spawnFailure(error, context.binary);
  }
  if (run.exitCode !== null && step.acceptedExitCodes.includes(run.exitCode)) return run;
  throw new TerraformFailure(
    `${context.binary} ${args[0]} failed (${describeExit(run)})`,
    diagnoseFailure(run.outputTail, context),
  );
}

/** The failure as the user reads it: one line, then one line per hint. */
export function failureLines(command: string, failure: TerraformFailure): string {
  return `${[`lakestack ${command}: ${failure.message}`, ...failure.hints.map((hint) => `  hint: ${hint}`)].join("\n")}\n`;
}
