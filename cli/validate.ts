import { Command, Option } from "commander";
import { ConfigError, isError, type Diagnostic } from "../loader/diagnostics";
import { loadEnvironments } from "../loader/load";
import { compareAgainst, withBaseline } from "../policy";
import { buildArtifacts } from "../stacks/artifacts";
import { checkEnvironmentDocuments, terraformDocuments } from "../stacks/check";
import { environmentChanges, renderChanges, type EnvironmentChanges } from "../views/changes";
import { configDirOf, processOutput, reportFindings, runCommand, type Output } from "./runner";
import { outputFolder } from "./synth";

interface ValidateOptions {
  readonly env?: string;
  readonly against?: string;
  readonly json?: boolean;
  readonly config?: string;
}

/** `lakestack validate`: schema, cross-field rules, derived names and policy, for every environment at once. */
export function validateCommand(io: Output = processOutput): Command {
  return new Command("validate")
    .description("check environment files: schema, cross-field rules, derived names and policy rules")
    .addOption(new Option("-e, --env <name>", "one environment").conflicts("all"))
    .option("-a, --all", "every environment (the default)")
    .option(
      "--against <ref|folder>",
      "also report changes since a git revision or config folder that would lose data, and list the Terraform resources each environment adds, changes and removes",
    )
    .option("--json", "print one JSON document on stdout")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack validate --env dev\n  $ lakestack validate --all --json\n  $ lakestack validate --against origin/main   # also: what each environment's Terraform gains and loses",
    )
    .action((opts: ValidateOptions, command: Command) =>
      runCommand(io, { json: opts.json }, () => {
        const configDir = configDirOf(command, opts.config);
        const names = opts.env ? [opts.env] : undefined;
        const environments = loadEnvironments(configDir, names);
        const artifacts = buildArtifacts();
        const checked = checkEnvironmentDocuments(environments, outputFolder(), artifacts);
        const findings: Diagnostic[] = checked.findings;
        let changes: EnvironmentChanges[] | undefined;
        if (opts.against) {
          changes = withBaseline(opts.against, configDir, names, (baseline) => {
            findings.push(...compareAgainst(baseline, environments));
            // What the change does to each environment's Terraform: shown even when a finding fails it.
            return environmentChanges(
              terraformDocuments(baseline, outputFolder(), artifacts),
              checked.documents,
            );
          });
          if (!opts.json) io.out(renderChanges(opts.against, changes));
        }
        if (findings.some(isError)) throw new ConfigError(findings);
        const valid = environments.map((e) => e.name);
        if (opts.json)
          io.out(JSON.stringify({ ok: true, environments: valid, diagnostics: findings, changes }, null, 2));
        reportFindings(io, findings);
        if (!opts.json) io.out(`valid: ${valid.join(", ")}`);
      }),
    );
}
