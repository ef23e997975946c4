import { Command, InvalidArgumentError, Option } from "commander";
import { parseAllowList } from "../guard";
import { DEFAULT_LOCK_TIMEOUT, PLAN_EXIT, runPlan, TERRAFORM_BINARY_ENV } from "../plan";
import { ALLOW_ENV, collect, processContext, type CliContext } from "./guard";

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
}

/** Terraform durations as `-lock-timeout` takes them: 90s, 5m, 1h. */
export function parseLockTimeout(value: string): string {
  if (!/^\d+(ms|s|m|h)$/.test(value)) {
    throw new InvalidArgumentError("expected a duration such as 90s, 5m or 1h.");
  }
  return value;
}

async function plan(
  options: PlanCommandOptions,
  synthesize: Synthesize,
  context: CliContext,
): Promise<number> {
  let stackDir: string;
  try {
    stackDir = options.stackDir ?? (await synthesize(options.env));
  } catch (error) {
    context.err(`lakestack plan: could not synthesize ${options.env}: ${(error as Error).message}\n`);
    return PLAN_EXIT.failed;
  }
  try {
    const result = await runPlan({
      env: options.env,
      stackDir,
      tfBin: options.tfBin,
      allow: [...(options.allow ?? []), ...parseAllowList(context.processEnv[ALLOW_ENV])],
      markdownFile: options.markdown,
      detailedExitcode: options.detailedExitcode,
      lockTimeout: options.lockTimeout,
      lock: options.lock,
      terraformLog: options.terraformLog,
      processEnv: context.processEnv,
      output: context,
    });
    return result.exitCode;
  } catch (error) {
    // 2 means "changes present" here, so even a bug exits 1.
    context.err(`lakestack plan: internal error: ${(error as Error).message}\n`);
    return PLAN_EXIT.failed;
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
    .option("--tf-bin <binary>", `terraform or tofu (default: $${TERRAFORM_BINARY_ENV}, else terraform)`)
    .option("--stack-dir <dir>", "plan this already-synthesized stack directory instead of synthesizing")
    .option(
      "--allow <address>",
      `accept the destructive change at this address (repeatable; also $${ALLOW_ENV})`,
      collect,
    )
    .option("--markdown <file>", "also write a Markdown summary for a pull-request comment")
    .option("--detailed-exitcode", "exit 2 when the plan has changes")
    .addOption(
      new Option("--lock-timeout <duration>", "how long to wait for the state lock")
        .default(DEFAULT_LOCK_TIMEOUT)
        .argParser(parseLockTimeout),
    )
    .option(
      "--no-lock",
      "plan without taking the state lock (-lock=false): for read-only plans such as pull requests'",
    )
    .option(
      "--terraform-log <file>",
      "write Terraform's own output (its plan text can quote sensitive values) to this file instead of the terminal",
    )
    .addHelpText("after", EXAMPLES)
    .action(async (options: PlanCommandOptions) =>
      context.setExitCode(await plan(options, synthesize, context)),
    );
}
