import { Command } from "commander";
import { loadEnvironments } from "../loader/load";
import { configDirOf, processOutput, runCommand, type Output } from "./runner";
import { diffEnvironments, renderDiff } from "../views/diff";

interface DiffOptions {
  readonly json?: boolean;
  readonly config?: string;
}

const EXAMPLES = `
Examples:
  $ lakestack diff staging prod
  $ lakestack diff dev prod --json | jq '.differences[].path'

Compares the resolved configs (base.yaml merged, defaults applied); each value comes with the
file:line:col it is set at. For a default, the position is the nearest enclosing key the files set.`;

/** `lakestack diff <left> <right>`: what actually differs between two environments. */
export function diffCommand(io: Output = processOutput): Command {
  return new Command("diff")
    .description("show where two environments' resolved configs differ, and where each value is set")
    .argument("<left>", "environment, e.g. staging")
    .argument("<right>", "environment, e.g. prod")
    .option("--json", "print one JSON document on stdout")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText("after", EXAMPLES)
    .action((left: string, right: string, options: DiffOptions, command: Command) =>
      runCommand(io, { name: "diff", json: options.json }, () => {
        const [a, b] = loadEnvironments(configDirOf(command, options.config), [left, right]);
        const diff = diffEnvironments(a, b);
        if (options.json) io.out(JSON.stringify({ ok: true, ...diff }, null, 2));
        else io.out(renderDiff(diff));
      }),
    );
}
