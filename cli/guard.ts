import { readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import {
  analyzePlan,
  parseAllowList,
  parsePlanText,
  PlanFormatError,
  renderConsole,
  renderMarkdown,
  type GuardReport,
} from "../guard";
import { processOutput, type Output } from "../plan";

/** Extra allowed addresses, comma- or whitespace-separated; CI sets it from a pull-request label. */
export const ALLOW_ENV = "LAKESTACK_GUARD_ALLOW";

/** What a command touches outside itself; tests pass their own. */
export interface CliContext extends Output {
  readonly processEnv: NodeJS.ProcessEnv;
  setExitCode(code: number): void;
}

export const processContext: CliContext = {
  ...processOutput,
  processEnv: process.env,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

const GUARD_EXIT = { pass: 0, blockedOrInvalid: 1, internalError: 2 } as const;

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** A problem with what the user gave us, reported in one line. */
class GuardInputError extends Error {}

interface GuardOptions {
  readonly allow?: string[];
  readonly env?: string;
  readonly markdown?: string;
  readonly json?: boolean;
}

/** The file's bytes: parsePlanText decodes them (UTF-8, or UTF-16 with a byte-order mark). */
function readPlanFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new GuardInputError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}

function writeMarkdown(file: string, report: GuardReport): void {
  try {
    writeFileSync(file, renderMarkdown([report]));
  } catch (error) {
    throw new GuardInputError(`cannot write ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}

function reportInvalid(message: string, options: GuardOptions, context: CliContext): number {
  context.err(`lakestack guard: ${message}\n`);
  if (options.json) context.out(`${JSON.stringify({ verdict: "invalid", error: message })}\n`);
  return GUARD_EXIT.blockedOrInvalid;
}

/** The addresses allowed to be destroyed: `--allow` flags, then the ones the environment variable lists. */
export function allowList(flags: readonly string[] | undefined, processEnv: NodeJS.ProcessEnv): string[] {
  return [...(flags ?? []), ...parseAllowList(processEnv[ALLOW_ENV])];
}

function guard(planFile: string, options: GuardOptions, context: CliContext): number {
  const allow = allowList(options.allow, context.processEnv);
  try {
    const report = analyzePlan(parsePlanText(readPlanFile(planFile), planFile), { allow, env: options.env });
    if (options.json) {
      context.out(`${JSON.stringify(report, null, 2)}\n`);
      context.err(renderConsole(report));
    } else {
      context.out(renderConsole(report));
    }
    if (options.markdown) writeMarkdown(options.markdown, report);
    return report.verdict === "pass" ? GUARD_EXIT.pass : GUARD_EXIT.blockedOrInvalid;
  } catch (error) {
    if (error instanceof PlanFormatError || error instanceof GuardInputError) {
      return reportInvalid(error.message, options, context);
    }
    context.err(`lakestack guard: internal error: ${(error as Error).message}\n`);
    return GUARD_EXIT.internalError;
  }
}

const EXAMPLES = `
Examples:
  $ terraform show -json tfplan > plan.json
  $ lakestack guard plan.json --env dev
  $ lakestack guard plan.json --env prod --allow 'aws_kinesis_stream.events_stream' --markdown guard.md
  $ ${ALLOW_ENV}='aws_s3_bucket.browser_site_bucket, aws_cognito_identity_pool.browser_identity_pool' lakestack guard plan.json
  $ lakestack guard plan.json --json > guard.json

Destructive: every delete and replace, and updates that lower data protection (Kinesis retention
decrease, S3 versioning suspended, force_destroy turned on). Each blocks unless its address is allowed.
Exit codes: 0 pass, 1 blocked or invalid plan/usage, 2 internal error.`;

/** `lakestack guard <plan.json>`: the destructive-change gate over `terraform show -json` output. */
export function guardCommand(context: CliContext = processContext): Command {
  return new Command("guard")
    .description("fail when a Terraform plan destroys or endangers data that no one explicitly allowed")
    .argument("<plan.json>", "output of `terraform show -json <planfile>`")
    .option(
      "--allow <address>",
      `accept the destructive change at this address (repeatable; also $${ALLOW_ENV})`,
      collect,
    )
    .option("-e, --env <name>", "environment name for the summary")
    .option("--markdown <file>", "also write a Markdown summary for a pull-request comment")
    .option("--json", "print the report as one JSON document on stdout (the human summary goes to stderr)")
    .addHelpText("after", EXAMPLES)
    .action((planFile: string, options: GuardOptions) =>
      context.setExitCode(guard(planFile, options, context)),
    );
}
