import { Command } from "commander";
import { tfBinOption } from "./arguments";
import { join } from "node:path";
import type { GuardReport } from "../guard";
import { plainText } from "../guard/text";
import { loadEnvironments, type Environment } from "../loader/load";
import { PLAN_EXIT, runPlan } from "../plan";
import { applySavedPlan, failureLines, forgetOutputs } from "../plan/apply";
import { PlanFailure } from "../plan";
import { buildArtifacts } from "../stacks/artifacts";
import { synthesize } from "../stacks/synthesize";
import { DEFAULT_OUTPUTS_FILE } from "../views/outputs";
import { approved, processApplyContext, type ApplyContext } from "./deploy";
import { lockTimeoutOption } from "./plan";
import { configDirOf, lineOutput, runCommand } from "./runner";
import { outputFolder } from "./synth";

/** Exit codes: 0 destroyed (or nothing to destroy), 1 refused, failed or not approved. */
const DESTROY_EXIT = { destroyed: 0, refused: 1 } as const;

interface DestroyOptions {
  readonly env: string;
  readonly production?: string;
  readonly autoApprove?: boolean;
  readonly tfBin?: string;
  readonly outputs: string;
  readonly lockTimeout: string;
  readonly config?: string;
}

/**
 * The environment as destroy synthesizes it. Production's stateful resources carry prevent_destroy, which
 * makes Terraform refuse any destroy plan; once --production named the environment, it is synthesized
 * without that protection (as development would be), into a folder of its own so that nothing but this
 * destroy ever plans from it. Attributes do not matter to a destroy: Terraform deletes what the state holds.
 */
function forDestroy(environment: Environment): Environment {
  if (environment.config.mode !== "production") return environment;
  return { ...environment, config: { ...environment.config, mode: "development" } };
}

/** What goes, by address: every resource that holds data is marked; the count covers the rest. */
function renderDestroySummary(report: GuardReport): string {
  const where = report.env ? ` [${plainText(report.env)}]` : "";
  const lines = [`lakestack destroy${where}: ${report.counts.destroy} to destroy`];
  for (const change of report.destructive) {
    lines.push(`  destroy: ${plainText(change.address)}${change.holdsData ? " (holds data)" : ""}`);
  }
  const rest = report.counts.destroy - report.destructive.length;
  if (rest > 0) lines.push(`  and ${rest} that hold nothing (waits)`);
  return `${lines.join("\n")}\n`;
}

function refuse(context: ApplyContext, message: string): number {
  context.err(`lakestack destroy: ${message}\n`);
  return DESTROY_EXIT.refused;
}

async function destroy(options: DestroyOptions, configDir: string, context: ApplyContext): Promise<number> {
  const [environment] = loadEnvironments(configDir, [options.env]);
  const production = environment.config.mode === "production";
  if (production && options.production === undefined) {
    return refuse(
      context,
      `${options.env} is a production environment: destroying it deletes its data. To go ahead anyway, ` +
        `name it twice: --env ${options.env} --production ${options.env}`,
    );
  }
  if (options.production !== undefined && options.production !== options.env) {
    return refuse(
      context,
      `--production ${options.production} does not repeat --env ${options.env}: nothing planned`,
    );
  }
  const out = join(outputFolder(), "destroy");
  synthesize([forDestroy(environment)], out, buildArtifacts());
  const target = {
    env: options.env,
    stackDir: join(out, "stacks", options.env),
    tfBin: options.tfBin,
    processEnv: context.processEnv,
    output: context,
  };
  const plan = await runPlan({
    ...target,
    allow: [],
    destroy: true,
    detailedExitcode: true,
    lockTimeout: options.lockTimeout,
    summary: renderDestroySummary,
  });
  if (plan.exitCode === PLAN_EXIT.failed) return DESTROY_EXIT.refused;
  if (!plan.changesPresent) {
    context.out(`lakestack destroy [${options.env}]: nothing to destroy\n`);
    return DESTROY_EXIT.destroyed;
  }
  const confirmed = await approved(context, {
    autoApprove: options.autoApprove,
    question: `Destroy everything listed above in ${options.env}? Type the environment's name to confirm: `,
    expected: options.env,
    command: "destroy",
  });
  if (!confirmed) return DESTROY_EXIT.refused;
  try {
    await applySavedPlan({ ...target, lockTimeout: options.lockTimeout });
  } catch (error) {
    if (!(error instanceof PlanFailure)) throw error;
    context.err(failureLines("destroy", error));
    return DESTROY_EXIT.refused;
  }
  forgetOutputs(options.outputs, options.env);
  context.out(
    `lakestack destroy [${options.env}]: destroyed ${plan.report?.counts.destroy ?? 0} resource(s)\n`,
  );
  return DESTROY_EXIT.destroyed;
}

const EXAMPLES = `
Examples:
  $ lakestack destroy --env dev
  $ lakestack destroy --env dev --auto-approve
  $ lakestack destroy --env staging --production staging

Plans the destruction first (plan -destroy -out=tfplan) and lists what goes, marking what holds data;
then, once you typed the environment's name (or with --auto-approve), applies exactly that plan and
removes the environment from the deploy outputs. Development environments only, unless --production
repeats the environment's name: production is then planned without its prevent_destroy protection.
A bucket, catalog or schema that still holds data stops the destroy there (production sets no
force_destroy): empty it first, or keep it.
Exit codes: 0 destroyed or nothing to destroy, 1 refused, failed or not approved.`;

/** `lakestack destroy --env <name>`: everything of a development environment, after showing what goes. */
export function destroyCommand(context: ApplyContext = processApplyContext): Command {
  return new Command("destroy")
    .description("destroy a development environment after showing what goes (production only on request)")
    .requiredOption("-e, --env <name>", "environment to destroy (config/<name>.yaml)")
    .option("--production <name>", "destroy a production environment: repeat its name")
    .option("--auto-approve", "destroy without asking")
    .addOption(tfBinOption())
    .option("--outputs <file>", "the deploy outputs to remove the environment from", DEFAULT_OUTPUTS_FILE)
    .addOption(lockTimeoutOption())
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText("after", EXAMPLES)
    .action((options: DestroyOptions, command: Command) =>
      runCommand(lineOutput(context), { name: "destroy" }, async () =>
        context.setExitCode(await destroy(options, configDirOf(command, options.config), context)),
      ),
    );
}
