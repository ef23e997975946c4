/**
 * The lakestack command line: every command lives in its own file under cli/; this file only assembles
 * them. Exit codes: 0 ok, 1 invalid input or usage, 2 internal error (a few commands add their own).
 */
import { Command } from "commander";
import { costCommand } from "./cli/cost";
import { deployCommand } from "./cli/deploy";
import { destroyCommand } from "./cli/destroy";
import { diagramCommand } from "./cli/diagram";
import { diffCommand } from "./cli/diff";
import { doctorCommand } from "./cli/doctor";
import { envsCommand } from "./cli/envs";
import { guardCommand } from "./cli/guard";
import { initCommand } from "./cli/init";
import { planCommand } from "./cli/plan";
import { rulesCommand } from "./cli/rules";
import { runCommandFor } from "./cli/run";
import { configDirOf, execute, processOutput, type Output } from "./cli/runner";
import { schemaCommand } from "./cli/schema";
import { simulateCommand } from "./cli/simulate";
import { synthCommand, synthesizeForPlan } from "./cli/synth";
import { validateCommand } from "./cli/validate";
import { verifyCommand } from "./cli/verify";
import { version } from "./package.json";

export function buildProgram(io: Output = processOutput): Command {
  const program = new Command("lakestack")
    .description(
      "One YAML file per environment in; the Terraform for a streaming lakehouse on AWS and Databricks out.",
    )
    .version(version, "-V, --version", "print lakestack's version")
    .option("-c, --config <dir>", "folder holding base.yaml and one <environment>.yaml each", "config")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      "after",
      `
Examples:
  $ lakestack validate --all
  $ lakestack deploy --env dev      # synth, plan, guard, apply the guarded plan
  $ lakestack verify --env dev      # prove events reach the tables
  $ lakestack init qa --account-id 500000000404 --region eu-west-1
  $ lakestack synth                 # every environment into cdktf.out/

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
    costCommand(io),
    simulateCommand(),
    planCommand(synthesizeForPlan(configDir)),
    deployCommand(synthesizeForPlan(configDir)),
    runCommandFor(),
    verifyCommand(),
    destroyCommand(),
    doctorCommand(),
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
