import { Command } from "commander";
import { join } from "node:path";
import { environmentNames, loadEnvironments, type Environment } from "../loader/load";
import { buildArtifacts } from "../stacks/artifacts";
import { synthesize } from "../stacks/synthesize";
import { configDirOf, processOutput, reportFindings, runCommand, type Output } from "./run";

/** Where stacks go: the command's `--out`, else `$CDKTF_OUTDIR` (set by the cdktf CLI), else cdktf.out. */
export function outputFolder(flag?: string): string {
  return flag ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
}

/**
 * Synthesizes the named environments (all when none named) into `out`. The stacks of environments still
 * in the config folder but not synthesized now stay as they were.
 */
export function synthesizeEnvironments(configDir: string, names: readonly string[] | undefined, out: string) {
  const environments = loadEnvironments(configDir, names);
  const others = (synthesized: readonly Environment[]) =>
    environmentNames(configDir).filter((name) => !synthesized.some((e) => e.name === name));
  return synthesize(environments, out, buildArtifacts(), { keep: others(environments) });
}

/** Synthesizes one environment for `plan`; returns its stack folder, e.g. `cdktf.out/stacks/dev`. */
export function synthesizeForPlan(configDir: () => string) {
  return async (env: string): Promise<string> => {
    const out = outputFolder();
    synthesizeEnvironments(configDir(), [env], out);
    return join(out, "stacks", env);
  };
}

/** `lakestack synth`: Terraform JSON for every environment (or one), written all or nothing. */
export function synthCommand(io: Output = processOutput): Command {
  return new Command("synth")
    .description("write Terraform JSON for every environment (or one) into cdktf.out/stacks/<env>")
    .option("-e, --env <name>", "only this environment")
    .option("-o, --out <dir>", "output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack synth\n  $ lakestack synth --env prod --out /tmp/plan-input",
    )
    .action((opts: { env?: string; out?: string; config?: string }, command: Command) =>
      runCommand(io, {}, () => {
        const started = process.hrtime.bigint();
        const out = outputFolder(opts.out);
        const result = synthesizeEnvironments(
          configDirOf(command, opts.config),
          opts.env ? [opts.env] : undefined,
          out,
        );
        reportFindings(io, result.findings);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        io.err(`synthesized ${result.stacks.join(", ")} into ${out} in ${ms.toFixed(0)} ms`);
      }),
    );
}
