import { Command, Option } from "commander";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ConfigError, isError, type Diagnostic } from "../loader/diagnostics";
import {
  BASE_FILE,
  ENVIRONMENT_NAME,
  environmentNames,
  loadEnvironments,
  readYamlFile,
} from "../loader/load";
import { buildArtifacts } from "../stacks/artifacts";
import { checkEnvironments } from "../stacks/check";
import { configDirOf, InputError, processOutput, reportFindings, runCommand, type Output } from "./runner";
import { outputFolder } from "./synth";

interface InitOptions {
  readonly mode: "development" | "production";
  readonly accountId?: string;
  readonly region?: string;
  readonly servicePrincipal?: string;
  readonly config?: string;
}

/** Where CI reads the order environments deploy in, relative to the folder above config/. */
const DEPLOY_ORDER = join(".github", "deploy-order.txt");

/**
 * `lakestack init <env>`: a new environment's file with what it must set and comments saying what to fill
 * in, added to the deploy order, then validated. Never overwrites a file.
 */
export function initCommand(io: Output = processOutput): Command {
  return new Command("init")
    .description(
      "add an environment: write config/<env>.yaml, add it to .github/deploy-order.txt, validate it",
    )
    .argument("<env>", "the new environment's name: 1-16 lowercase letters, digits and hyphens")
    .addOption(
      new Option("--mode <mode>", "development (paused schedules, disposable data) or production")
        .choices(["development", "production"])
        .default("development"),
    )
    .option("--account-id <id>", "the AWS account it deploys into (12 digits)")
    .option("--region <region>", "the AWS region of its resources, e.g. eu-west-1")
    .option("--service-principal <id>", "production: the application id its pipeline and jobs run as")
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText(
      "after",
      `
Values not given are left for you to fill in: the file is written, and validation says where.
Exit codes: 0 written and valid, 1 written but incomplete (see the messages) or refused.

Examples:
  $ lakestack init sandbox --account-id 500000000505 --region eu-west-1
  $ lakestack init qa --mode production --account-id 500000000404 --region eu-west-1 \\
      --service-principal 3c5e8a21-7d4b-4f0e-9a61-2b8c0d7e5f14`,
    )
    .action((env: string, opts: InitOptions, command: Command) =>
      runCommand(io, { name: "init" }, () => {
        const configDir = configDirOf(command, opts.config);
        if (env === "base" || !ENVIRONMENT_NAME.test(env)) {
          throw new InputError(
            `'${env}' cannot name an environment: use 1-16 lowercase letters, digits and hyphens, starting with a letter (and not 'base')`,
          );
        }
        environmentNames(configDir); // a missing config folder is reported as such
        const file = join(configDir, `${env}.yaml`);
        const shown = relative(process.cwd(), file) || file;
        for (const existing of [file, join(configDir, `${env}.yml`)]) {
          if (existsSync(existing)) {
            throw new InputError(
              `${relative(process.cwd(), existing) || existing} exists; init never overwrites: edit it, or choose another name`,
            );
          }
        }
        writeFileSync(file, environmentFile(env, opts, baseSetsRegion(configDir)), { flag: "wx" });
        io.out(`created ${shown}`);
        const order = addToDeployOrder(dirname(configDir), env);
        io.err(order);

        const incomplete = () =>
          io.err(`${shown} needs values: fill in what these say, then run lakestack validate --env ${env}`);
        let findings: Diagnostic[];
        try {
          const environments = loadEnvironments(configDir, [env]);
          findings = checkEnvironments(environments, outputFolder(), buildArtifacts());
        } catch (error) {
          if (error instanceof ConfigError) incomplete();
          throw error;
        }
        if (findings.some(isError)) {
          incomplete();
          throw new ConfigError(findings);
        }
        reportFindings(io, findings);
        io.out(`valid: ${env}`);
      }),
    );
}

/** Whether base.yaml sets aws.region, which the new file then inherits. */
function baseSetsRegion(configDir: string): boolean {
  // A missing or broken base.yaml reads as empty; validation reports a broken one.
  const { value } = readYamlFile(join(configDir, BASE_FILE), { optional: true });
  return typeof (value.aws as { region?: unknown } | undefined)?.region === "string";
}

/** The new environment's YAML: its required values (or empty ones to fill in), each with what it is. */
function environmentFile(env: string, opts: InitOptions, regionInBase: boolean): string {
  const quoted = (value: string | undefined) => JSON.stringify(value ?? "");
  const fill = (value: string | undefined) => (value === undefined ? " # fill in" : "");
  const production = opts.mode === "production";
  const lines = [
    "# yaml-language-server: $schema=./lakestack.schema.json",
    "#",
    `# ${env}: written by \`lakestack init\`. Everything this file does not set comes from base.yaml; every key`,
    `# is in docs/configuration.md. Check it with \`lakestack validate --env ${env}\`.`,
    "",
    production
      ? "# production: the pipeline runs continuously, schedules run, and data is protected from destroy."
      : "# development: schedules are paused, the pipeline runs when started, and the buckets can be destroyed.",
    `mode: ${opts.mode}`,
    "",
    "aws:",
    "  # The AWS account this environment deploys into: 12 digits, quoted so YAML keeps leading zeros.",
    `  account_id: ${quoted(opts.accountId)}${fill(opts.accountId)}`,
  ];
  if (opts.region !== undefined || !regionInBase) {
    lines.push(
      "  # The region of every AWS resource of this environment, e.g. eu-west-1.",
      `  region: ${opts.region ?? '""'}${fill(opts.region)}`,
    );
  }
  if (production || opts.servicePrincipal !== undefined) {
    lines.push(
      "",
      "databricks:",
      "  run_as:",
      "    # The service principal the pipeline and jobs run as: its application id, a UUID from the",
      "    # workspace's admin settings (production never runs as a person).",
      `    service_principal: ${opts.servicePrincipal ?? '""'}${fill(opts.servicePrincipal)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Adds the environment to the end of the deploy order CI follows; says what it did. */
function addToDeployOrder(root: string, env: string): string {
  const file = join(root, DEPLOY_ORDER);
  const shown = relative(process.cwd(), file) || file;
  if (!existsSync(file))
    return `no ${shown} here: if CI deploys this project, list ${env} in its deploy order`;
  const text = readFileSync(file, "utf8");
  const listed = text.split("\n").some((line) => line.replace(/#.*/, "").trim() === env);
  if (listed) return `${shown} already lists ${env}`;
  appendFileSync(file, `${text.length === 0 || text.endsWith("\n") ? "" : "\n"}${env}\n`);
  return `added ${env} to the end of ${shown}: move it where it should deploy; CI also needs its GitHub environments (docs/delivery.md)`;
}
