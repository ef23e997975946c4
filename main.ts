/**
 * The lakestack command line: every command lives in its own file under cli/; this file only assembles
 * them. Exit codes: 0 ok, 1 invalid input or usage, 2 internal error (a few commands add their own).
 */
import { Command } from "commander";
import { diagramCommand } from "./cli/diagram";
import { diffCommand } from "./cli/diff";
import { envsCommand } from "./cli/envs";
import { guardCommand } from "./cli/guard";
import { initCommand } from "./cli/init";
import { planCommand } from "./cli/plan";
import { rulesCommand } from "./cli/rules";
import { configDirOf, execute, processOutput, type Output } from "./cli/run";
import { schemaCommand } from "./cli/schema";
import { simulateCommand } from "./cli/simulate";
import { synthCommand, synthesizeForPlan } from "./cli/synth";
import { validateCommand } from "./cli/validate";

export function buildProgram(io: Output = processOutput): Command {
  const program = new Command("lakestack")
    .description(
      "One YAML file per environment in; the Terraform for a streaming lakehouse on AWS and Databricks out.",
    )
    .option("-c, --config <dir>", "folder holding base.yaml and one <environment>.yaml each", "config")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      "after",
      `
Examples:
  $ lakestack validate --all
  $ lakestack init qa --account-id 500000000404 --region eu-west-1
  $ lakestack synth                 # every environment into cdktf.out/
  $ npx cdktf deploy dev            # deploy one environment

Exit codes: 0 ok, 1 invalid input or usage, 2 internal error; guard, plan and simulate
say their own in their --help.`,
    );
  const configDir = () => configDirOf(program, undefined);
  for (const command of [
    validateCommand(io),
    synthCommand(io),
    envsCommand(io),
    initCommand(io),
    schemaCommand(io),
    rulesCommand(io),
    guardCommand(),
    diagramCommand(io),
    diffCommand(io),
    simulateCommand(),
    planCommand(synthesizeForPlan(configDir)),
  ]) {
    program.addCommand(command);
  }
  return program;
}

/** Runs the CLI in this process and sets its exit code. */
export function runCli(argv: string[]): void {
  execute(buildProgram(), argv);
}

if (require.main === module) runCli(process.argv);
