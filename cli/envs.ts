import { Command } from "commander";
import { estimateEnvironments, loadPriceBook } from "../cost";
import { totalCell } from "../cost/render";
import { ConfigError, formatDiagnostic } from "../loader/diagnostics";
import { loadEnvironments, type Environment } from "../loader/load";
import { buildArtifacts } from "../stacks/artifacts";
import { DEFAULT_OUTPUTS_FILE, outputsSummary } from "../views/outputs";
import { textTable } from "../views/text-table";
import { configDirOf, processOutput, runCommand, type Output } from "./runner";
import { outputFolder } from "./synth";

interface EnvsOptions {
  readonly outputs: string;
  readonly json?: boolean;
  readonly config?: string;
}

/** `lakestack envs`: every environment with where it lives, and what its last deploy reported. */
export function envsCommand(io: Output = processOutput): Command {
  return new Command("envs")
    .description("list environments with their mode, region and workspace, and what their last deploy output")
    .option("--outputs <file>", "the outputs lakestack deploy records", DEFAULT_OUTPUTS_FILE)
    .option("--json", "print one JSON document on stdout")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText("after", "\nExamples:\n  $ lakestack envs\n  $ lakestack envs --json | jq '.[] | .name'")
    .action((opts: EnvsOptions, command: Command) =>
      runCommand(io, { json: opts.json }, () => {
        const environments = loadEnvironments(configDirOf(command, opts.config));
        const summary = outputsSummary(
          opts.outputs,
          environments.map((e) => e.name),
        );
        if (summary.problem) io.err(`${opts.outputs}: ${summary.problem}`);
        const deployed = new Map(
          summary.environments.filter((e) => e.deployed).map((e) => [e.env, e.outputs]),
        );
        const rows = environments.map(describeEnvironment);
        if (opts.json) {
          io.out(
            JSON.stringify(
              rows.map((r) => ({ ...r, outputs: deployed.get(r.name) ?? null })),
              null,
              2,
            ),
          );
          return;
        }
        const costs = monthlyCosts(environments, io);
        io.out(table(rows.map((r, i) => ({ ...r, "cost/month": costs[i] }))));
        for (const [env, outputs] of deployed) {
          io.out(`\n${env} (last deploy):`);
          for (const [name, value] of Object.entries(outputs)) io.out(`  ${name}: ${JSON.stringify(value)}`);
        }
      }),
    );
}

/**
 * Each environment's estimated monthly cost (`lakestack cost` has the lines). The table still prints
 * when the price file is broken: the column then says so, and stderr says why.
 */
function monthlyCosts(environments: readonly Environment[], io: Output): string[] {
  try {
    const estimates = estimateEnvironments(environments, loadPriceBook(), {
      outDir: outputFolder(),
      artifacts: buildArtifacts(),
    });
    return estimates.map((e) => totalCell(e.totals));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const d of error.diagnostics) io.err(formatDiagnostic(d));
    return environments.map(() => "no prices");
  }
}

function describeEnvironment(e: Environment) {
  return {
    name: e.name,
    mode: e.config.mode,
    region: e.config.aws.region,
    account: e.config.aws.account_id,
    workspace: e.config.databricks.host,
  };
}

function table(rows: Record<string, string>[]): string {
  if (rows.length === 0) return "no environments";
  const keys = Object.keys(rows[0]);
  return textTable(
    keys.map((k) => k.toUpperCase()),
    rows.map((r) => keys.map((k) => r[k])),
  );
}
