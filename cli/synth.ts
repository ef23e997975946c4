import { Command } from "commander";
import { join } from "node:path";
import { environmentNames, loadEnvironments, type Environment } from "../loader/load";
import { buildArtifacts } from "../stacks/artifacts";
import { synthesize } from "../stacks/synthesize";
import { formatDiagnostic, type Diagnostic } from "../loader/diagnostics";
import { configDirOf, processOutput, runCommand, type Output } from "./runner";

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

interface SynthOptions {
  readonly env?: string;
  readonly out?: string;
  readonly config?: string;
  readonly json?: boolean;
}

/**
 * The success line goes to stdout: cdktf runs this command as the app of `cdktf synth` and labels
 * everything the app writes to stderr as an error. Warnings stay on stderr; findings that waivers
 * acknowledged are only counted, in the success line.
 */
function successLine(stacks: readonly string[], out: string, ms: number, findings: readonly Diagnostic[]) {
  const acknowledged = findings.filter((d) => d.severity === "info").length;
  const note = acknowledged > 0 ? ` (${acknowledged} finding(s) acknowledged by waivers)` : "";
  return `synthesized ${stacks.join(", ")} into ${out} in ${ms.toFixed(0)} ms${note}`;
}

/** `lakestack synth`: Terraform JSON for every environment (or one), written all or nothing. */
export function synthCommand(io: Output = processOutput): Command {
  return new Command("synth")
    .description("write Terraform JSON for every environment (or one) into cdktf.out/stacks/<env>")
    .option("-e, --env <name>", "only this environment")
    .option("-o, --out <dir>", "output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .option("--json", "print one JSON document on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack synth\n  $ lakestack synth --env prod --out /tmp/plan-input\n  $ lakestack synth --json | jq '.stacks'",
    )
    .action((opts: SynthOptions, command: Command) =>
      runCommand(io, { json: opts.json }, () => {
        const started = process.hrtime.bigint();
        const out = outputFolder(opts.out);
        const result = synthesizeEnvironments(
          configDirOf(command, opts.config),
          opts.env ? [opts.env] : undefined,
          out,
        );
        for (const warning of result.findings.filter((d) => d.severity === "warning")) {
          io.err(formatDiagnostic(warning));
        }
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (opts.json) {
          io.out(
            JSON.stringify(
              {
                ok: true,
                outDir: result.outDir,
                stacks: result.stacks,
                milliseconds: Math.round(ms),
                diagnostics: result.findings,
              },
              null,
              2,
            ),
          );
          return;
        }
        io.out(successLine(result.stacks, out, ms, result.findings));
      }),
    );
}
