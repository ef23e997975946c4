/**
 * The lakestack command line: environment YAML in, Terraform out, and the tools around it.
 * Exit codes: 0 ok, 1 invalid input or usage, 2 internal error.
 */
import { Command, CommanderError, Option } from "commander";
import { join } from "node:path";
import { ConfigError, isError, type Diagnostic } from "./config/diagnostics";
import { environmentNames, loadEnvironments, type Environment } from "./config/load";
import { editorJsonSchema } from "./config/schema";
import { diagramCommand } from "./cli/diagram";
import { diffCommand } from "./cli/diff";
import { guardCommand } from "./cli/guard";
import { planCommand } from "./cli/plan";
import { simulateCommand } from "./cli/simulate";
import { compareAgainst, loadBaseline, policyCatalogue } from "./policy";
import { buildArtifacts } from "./stacks/artifacts";
import { checkEnvironments } from "./stacks/check";
import { synthesize } from "./stacks/synthesize";
import { writeMarkedBlock } from "./views/markers";
import {
  EXIT_INTERNAL,
  EXIT_INVALID,
  processOutput,
  reportFindings,
  runCommand,
  type Output,
} from "./cli/run";
import { DEFAULT_OUTPUTS_FILE, outputsSummary } from "./views/outputs";

/** Where the README keeps the generated rule catalogue. */
export const POLICY_MARKERS = {
  start: "<!-- policy-catalogue:start -->",
  end: "<!-- policy-catalogue:end -->",
};

interface GlobalOptions {
  config: string;
}

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
  $ lakestack synth                 # every environment into cdktf.out/
  $ npx cdktf deploy dev            # deploy one environment

Exit codes: 0 ok, 1 invalid input or usage, 2 internal error; guard, plan and simulate
say their own in their --help.`,
    );
  const globals = () => program.opts<GlobalOptions>();
  /** Environments still in the config folder but not synthesized now: their previous output stays. */
  const othersThan = (synthesized: readonly Environment[]) =>
    environmentNames(globals().config).filter((name) => !synthesized.some((e) => e.name === name));

  program
    .command("validate")
    .description("check environment files: schema, cross-field rules, derived names and policy rules")
    .addOption(new Option("-e, --env <name>", "one environment").conflicts("all"))
    .option("-a, --all", "every environment (the default)")
    .option(
      "--against <ref|folder>",
      "also report changes since a git revision or config folder that would lose data",
    )
    .option("--json", "print one JSON document on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack validate --env dev\n  $ lakestack validate --all --json\n  $ lakestack validate --against origin/main",
    )
    .action((opts: { env?: string; against?: string; json?: boolean }) =>
      runCommand(io, { json: opts.json }, () => {
        const names = opts.env ? [opts.env] : undefined;
        const environments = loadEnvironments(globals().config, names);
        const findings: Diagnostic[] = checkEnvironments(
          environments,
          outputFolder(undefined),
          buildArtifacts(),
        );
        if (opts.against)
          findings.push(...compareAgainst(loadBaseline(opts.against, globals().config, names), environments));
        if (findings.some(isError)) throw new ConfigError(findings);
        const valid = environments.map((e) => e.name);
        if (opts.json)
          io.out(JSON.stringify({ ok: true, environments: valid, diagnostics: findings }, null, 2));
        reportFindings(io, findings);
        if (!opts.json) io.out(`valid: ${valid.join(", ")}`);
      }),
    );

  program
    .command("synth")
    .description("write Terraform JSON for every environment (or one) into cdktf.out/stacks/<env>")
    .option("-e, --env <name>", "only this environment")
    .option("-o, --out <dir>", "output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack synth\n  $ lakestack synth --env prod --out /tmp/plan-input",
    )
    .action((opts: { env?: string; out?: string }) =>
      runCommand(io, {}, () => {
        const started = process.hrtime.bigint();
        const environments = loadEnvironments(globals().config, opts.env ? [opts.env] : undefined);
        const out = outputFolder(opts.out);
        const result = synthesize(environments, out, buildArtifacts(), { keep: othersThan(environments) });
        reportFindings(io, result.findings);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        io.err(`synthesized ${result.stacks.join(", ")} into ${out} in ${ms.toFixed(0)} ms`);
      }),
    );

  program
    .command("envs")
    .description("list environments with their mode, region and workspace, and what their last deploy output")
    .option("--outputs <file>", "cdktf deploy --outputs-file to read", DEFAULT_OUTPUTS_FILE)
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExamples:\n  $ lakestack envs\n  $ lakestack envs --json | jq '.[] | .name'")
    .action((opts: { outputs: string; json?: boolean }) =>
      runCommand(io, { json: opts.json }, () => {
        const environments = loadEnvironments(globals().config);
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
        io.out(table(rows));
        for (const [env, outputs] of deployed) {
          io.out(`\n${env} (last deploy):`);
          for (const [name, value] of Object.entries(outputs)) io.out(`  ${name}: ${JSON.stringify(value)}`);
        }
      }),
    );

  program
    .command("schema")
    .description("print the JSON Schema (draft-07) that editors use for config files")
    .addHelpText("after", "\nExample:\n  $ lakestack schema > config/lakestack.schema.json")
    .action(() => runCommand(io, {}, () => io.out(`${JSON.stringify(editorJsonSchema(), null, 2)}\n`)));

  program
    .command("rules")
    .description("list the policy rules synth and validate apply, as Markdown")
    .option(
      "--write <file>",
      `refresh the catalogue between ${POLICY_MARKERS.start} and its end marker in a file`,
    )
    .addHelpText("after", "\nExamples:\n  $ lakestack rules\n  $ lakestack rules --write README.md")
    .action((opts: { write?: string }) =>
      runCommand(io, {}, () => {
        if (!opts.write) return io.out(policyCatalogue());
        writeMarkedBlock(opts.write, POLICY_MARKERS, policyCatalogue());
        io.err(`updated the policy catalogue in ${opts.write}`);
      }),
    );

  program.addCommand(guardCommand());
  program.addCommand(diagramCommand());
  program.addCommand(diffCommand());
  program.addCommand(simulateCommand());
  program.addCommand(
    planCommand(async (env) => {
      const out = outputFolder(undefined);
      const environments = loadEnvironments(globals().config, [env]);
      synthesize(environments, out, buildArtifacts(), { keep: othersThan(environments) });
      return join(out, "stacks", env);
    }),
  );

  return program;
}

function outputFolder(flag: string | undefined): string {
  return flag ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
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
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(keys.map((k) => k.toUpperCase())), ...rows.map((r) => line(keys.map((k) => r[k])))].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other usage problem is invalid input.
      return error.exitCode === 0 ? 0 : EXIT_INVALID;
    }
    throw error;
  }
  return Number(process.exitCode ?? 0);
}

/** Runs the CLI in this process and sets its exit code. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `lakestack: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = EXIT_INTERNAL;
    },
  );
}

if (require.main === module) runCli(process.argv);
