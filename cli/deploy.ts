import { Command } from "commander";
import { tfBinOption } from "./arguments";
import type { GuardReport } from "../guard";
import { humanOutput, PLAN_EXIT, runPlan, type Output } from "../plan";
import { applySavedPlan, failureLines, recordOutputs, terraformOutputs } from "../plan/apply";
import { PlanFailure } from "../plan";
import { DEFAULT_OUTPUTS_FILE } from "../views/outputs";
import { ALLOW_ENV, allowList, collect, processContext, type CliContext } from "./guard";
import { lockTimeoutOption, type Synthesize } from "./plan";
import { terminalAsk, type Ask } from "./prompt";

/** Exit codes: 0 deployed (or nothing to change), 1 failed or refused, 3 the guard blocked the plan. */
const DEPLOY_EXIT = { deployed: 0, failed: 1, blocked: 3 } as const;

/** Where deploy and destroy ask their question; tests answer it themselves. */
export interface ApplyContext extends CliContext {
  /** Absent when nobody can answer (no terminal): then only --auto-approve applies. */
  readonly ask?: Ask;
}

export const processApplyContext: ApplyContext = {
  ...processContext,
  get ask() {
    return terminalAsk();
  },
};

interface DeployOptions {
  readonly env: string;
  readonly tfBin?: string;
  readonly allow?: string[];
  readonly autoApprove?: boolean;
  readonly markdown?: string;
  readonly outputs: string;
  readonly lockTimeout: string;
  readonly json?: boolean;
}

interface DeployResult {
  readonly exitCode: number;
  readonly verdict?: GuardReport["verdict"];
  readonly changes: boolean;
  readonly applied: boolean;
  readonly error?: string;
}

/** Whether to go ahead: --auto-approve, else a "yes" typed at the terminal; never without one. */
export async function approved(
  context: ApplyContext,
  options: { autoApprove?: boolean; question: string; expected: string; command: string },
): Promise<boolean> {
  if (options.autoApprove) return true;
  if (!context.ask) {
    context.err(
      `lakestack ${options.command}: no terminal to ask for approval: pass --auto-approve to go ahead without asking\n`,
    );
    return false;
  }
  const answer = (await context.ask(options.question)).trim();
  if (answer === options.expected) return true;
  context.err(
    `lakestack ${options.command}: not approved (answered ${JSON.stringify(answer)}): nothing changed\n`,
  );
  return false;
}

async function deploy(
  options: DeployOptions,
  synthesize: Synthesize,
  context: ApplyContext,
  output: Output,
): Promise<DeployResult> {
  const { env } = options;
  let stackDir: string;
  try {
    stackDir = await synthesize(env);
  } catch (error) {
    const message = `could not synthesize ${env}: ${(error as Error).message}`;
    output.err(`lakestack deploy: ${message}\n`);
    return { exitCode: DEPLOY_EXIT.failed, changes: false, applied: false, error: message };
  }
  const target = { env, stackDir, tfBin: options.tfBin, processEnv: context.processEnv, output };
  const plan = await runPlan({
    ...target,
    allow: allowList(options.allow, context.processEnv),
    markdownFile: options.markdown,
    detailedExitcode: true,
    lockTimeout: options.lockTimeout,
  });
  const verdict = plan.report?.verdict;
  if (plan.exitCode === PLAN_EXIT.blocked) {
    output.err(`lakestack deploy: the guard blocked ${env}'s plan: nothing was applied\n`);
    return { exitCode: DEPLOY_EXIT.blocked, verdict, changes: plan.changesPresent, applied: false };
  }
  if (plan.exitCode === PLAN_EXIT.failed) {
    return { exitCode: DEPLOY_EXIT.failed, changes: false, applied: false, error: plan.failure };
  }
  const changes = plan.changesPresent;
  if (
    changes &&
    !(await approved(context, {
      autoApprove: options.autoApprove,
      question: `Apply this plan to ${env}? Only "yes" applies it: `,
      expected: "yes",
      command: "deploy",
    }))
  ) {
    return { exitCode: DEPLOY_EXIT.failed, verdict, changes, applied: false, error: "not approved" };
  }
  try {
    if (changes) await applySavedPlan({ ...target, lockTimeout: options.lockTimeout });
    recordOutputs(options.outputs, env, await terraformOutputs(target));
  } catch (error) {
    if (!(error instanceof PlanFailure)) throw error;
    output.err(failureLines("deploy", error));
    return { exitCode: DEPLOY_EXIT.failed, verdict, changes, applied: false, error: error.message };
  }
  output.out(
    `lakestack deploy [${env}]: ${changes ? "applied the guarded plan" : "no changes"}; outputs in ${options.outputs}\n`,
  );
  return { exitCode: DEPLOY_EXIT.deployed, verdict, changes, applied: changes };
}

const EXAMPLES = `
Examples:
  $ lakestack deploy --env dev
  $ lakestack deploy --env prod --auto-approve --markdown deploy-prod.md
  $ lakestack deploy --env staging --allow 'aws_kinesis_stream.events_stream'
  $ lakestack deploy --env dev --tf-bin tofu --json | jq .verdict

Runs, in cdktf.out/stacks/<env>: the synth, init, plan -out=tfplan, show -json tfplan, then the guard
(like \`lakestack plan\`); then apply of exactly that saved plan, once you typed "yes" (or with
--auto-approve; without a terminal it refuses), and output -json into --outputs, which run, verify,
simulate and envs read. Sensitive outputs are recorded as null. Deploy starts nothing: a development
pipeline is triggered, so \`lakestack run --env dev pipeline\` (or \`lakestack verify\`) processes the stream.
Exit codes: 0 deployed or nothing to change, 1 failed or not approved, 3 the guard blocked the plan.`;

/** `lakestack deploy --env <name>`: the guarded path to production, the same locally and in CI. */
export function deployCommand(synthesize: Synthesize, context: ApplyContext = processApplyContext): Command {
  return new Command("deploy")
    .description("synthesize, plan, guard and apply exactly the guarded plan; record the outputs")
    .requiredOption("-e, --env <name>", "environment to deploy (config/<name>.yaml)")
    .addOption(tfBinOption())
    .option(
      "--allow <address>",
      `accept the destructive change at this address (repeatable; also $${ALLOW_ENV})`,
      collect,
    )
    .option("--auto-approve", "apply without asking (CI); without it, deploy asks on the terminal")
    .option("--markdown <file>", "also write the guard's Markdown summary")
    .option("--outputs <file>", "where to record the stack's outputs", DEFAULT_OUTPUTS_FILE)
    .addOption(lockTimeoutOption())
    .option("--json", "print one JSON document on stdout (people's text goes to stderr)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: DeployOptions) => {
      const output = humanOutput(context, options.json);
      const result = await deploy(options, synthesize, context, output);
      if (options.json) {
        context.out(
          `${JSON.stringify({ ok: result.exitCode === 0, env: options.env, outputsFile: options.outputs, ...result }, null, 2)}\n`,
        );
      }
      context.setExitCode(result.exitCode);
    });
}
