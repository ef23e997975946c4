import { Command, InvalidArgumentError, Option } from "commander";
import { tfBinOption } from "./arguments";
import { DEFAULT_LOCK_TIMEOUT, humanOutput, PLAN_EXIT, runPlan, type PlanResult } from "../plan";
import { ALLOW_ENV, allowList, collect, processContext, type CliContext } from "./guard";

/** Synthesizes one environment and returns its stack directory, e.g. `cdktf.out/stacks/dev`. */
export type Synthesize = (env: string) => Promise<string>;

interface PlanCommandOptions {
  readonly env: string;
  readonly tfBin?: string;
  readonly stackDir?: string;
  readonly allow?: string[];
  readonly markdown?: string;
  readonly detailedExitcode?: boolean;
  readonly lockTimeout: string;
  /** False with --no-lock. */
  readonly lock: boolean;
  readonly terraformLog?: string;
  readonly json?: boolean;
}

/** Terraform durations as `-lock-timeout` takes them: 90s, 5m, 1h. */
function parseLockTimeout(value: string): string {
  if (!/^\d+(ms|s|m|h)$/.test(value)) {
    throw new InvalidArgumentError("expected a duration such as 90s, 5m or 1h.");
  }
  return value;
}

/** `--lock-timeout`, as every command that runs Terraform takes it. */
export function lockTimeoutOption(): Option {
  return new Option("--lock-timeout <duration>", "how long to wait for the state lock")
    .default(DEFAULT_LOCK_TIMEOUT)
    .argParser(parseLockTimeout);
}

async function plan(
  options: PlanCommandOptions,
  synthesize: Synthesize,
  context: CliContext,
): Promise<Pick<PlanResult, "exitCode" | "failure"> & Partial<PlanResult>> {
  const output = humanOutput(context, options.json);
  let stackDir: string;
  try {
    stackDir = options.stackDir ?? (await synthesize(options.env));
  } catch (error) {
    const failure = `could not synthesize ${options.env}: ${(error as Error).message}`;
    output.err(`lakestack plan: ${failure}\n`);
    return { exitCode: PLAN_EXIT.failed, failure };
  }
  try {
    return await runPlan({
      env: options.env,
      stackDir,
      tfBin: options.tfBin,
      allow: allowList(options.allow, context.processEnv),
      markdownFile: options.markdown,
      detailedExitcode: options.detailedExitcode,
      lockTimeout: options.lockTimeout,
      lock: options.lock,
      terraformLog: options.terraformLog,
      processEnv: context.processEnv,
      output,
    });
  } catch (error) {
    // 2 means "changes present" here, so even a bug exits 1.
    const failure = `internal error: ${(error as Error).message}`;
    output.err(`lakestack plan: ${failure}\n`);
    return { exitCode: PLAN_EXIT.failed, failure };
  }
}

const EXAMPLES = `
Examples:
  $ lakestack plan --env dev
  $ lakestack plan --env prod --detailed-exitcode --markdown plan-prod.md
  $ lakestack plan --env staging --allow 'aws_kinesis_stream.events_stream'
  $ ${ALLOW_ENV}='aws_s3_bucket.browser_site_bucket' lakestack plan --env dev --tf-bin tofu
  $ lakestack plan --env dev --stack-dir cdktf.out/stacks/dev
  $ lakestack plan --env prod --no-lock --terraform-log "$RUNNER_TEMP/terraform.log"   # as pull requests do

Runs, in the stack directory: init -input=false; plan -input=false -lock-timeout=<t> (or -lock=false)
-out=tfplan -detailed-exitcode; show -json tfplan (saved as plan.json, which holds sensitive values).
Then guards the plan like \`lakestack guard\`. Terraform's output goes to stderr (or to --terraform-log,
with only a failing step's errors on stderr), the summary to stdout.
Exit codes:
  0  success: no changes, or changes without --detailed-exitcode
  1  synthesis or Terraform failed, or the plan could not be read
  2  changes present (with --detailed-exitcode)
  3  the guard blocked a destructive change (with or without --detailed-exitcode)`;

/** `lakestack plan --env <name>`: synthesize, plan with Terraform, guard the saved plan. */
export function planCommand(synthesize: Synthesize, context: CliContext = processContext): Command {
  return new Command("plan")
    .description("synthesize an environment, plan it with Terraform and guard the plan against data loss")
    .requiredOption("-e, --env <name>", "environment to plan (config/<name>.yaml)")
    .addOption(tfBinOption())
    .option("--stack-dir <dir>", "plan this already-synthesized stack directory instead of synthesizing")
    .option(
      "--allow <address>",
      `accept the destructive change at this address (repeatable; also $${ALLOW_ENV})`,
      collect,
    )
    .option("--markdown <file>", "also write a Markdown summary for a pull-request comment")
    .option("--detailed-exitcode", "exit 2 when the plan has changes")
    .option(
      "--no-lock",
      "plan without taking the state lock (-lock=false): for read-only plans such as pull requests'",
    )
    .option(
      "--terraform-log <file>",
      "write Terraform's own output (its plan text can quote sensitive values) to this file instead of the terminal",
    )
    .addOption(lockTimeoutOption())
    .option("--json", "print one JSON document on stdout (the summary and Terraform's output go to stderr)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: PlanCommandOptions) => {
      const result = await plan(options, synthesize, context);
      if (options.json) {
        const { exitCode, failure, changesPresent, report, planFile, planJsonFile } = result;
        const document = {
          ok: exitCode !== PLAN_EXIT.failed && exitCode !== PLAN_EXIT.blocked,
          env: options.env,
        };
        context.out(
          `${JSON.stringify({ ...document, exitCode, changes: changesPresent ?? false, verdict: report?.verdict, report, planFile, planJsonFile, failure }, null, 2)}\n`,
        );
      }
      context.setExitCode(result.exitCode);
    });
}
