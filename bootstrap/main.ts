/**
 * One-time setup before CI can plan and deploy: `npx tsx bootstrap/main.ts` synthesizes the state
 * bucket and GitHub's AWS roles into bootstrap/cdktf.out, then says what to apply where and what to
 * enter in GitHub. Exit codes: 0 ok, 1 invalid input, 2 internal error.
 */
import { App } from "cdktf";
import { Command } from "commander";
import { join, relative } from "node:path";
import { ConfigError, formatDiagnostic } from "../loader/diagnostics";
import { BootstrapInputError, loadBootstrapInputs, type BootstrapInputs } from "./settings";
import { OIDC_SUBJECT_CLAIMS, oidcSubjectSetting } from "./policies";
import { addBootstrapStacks, githubRoleVariables, type BootstrapStacks } from "./stacks";

const HERE = relative(process.cwd(), __dirname) || ".";

interface BootstrapOptions {
  readonly settings: string;
  readonly config: string;
  readonly out: string;
}

/** The steps after synthesis, for people: which stack to apply with which account's credentials. */
export function nextSteps(inputs: BootstrapInputs, stacks: BootstrapStacks, outDir: string): string {
  const stackDir = (id: string) => join(outDir, "stacks", id);
  const apply = (id: string) =>
    `terraform -chdir=${stackDir(id)} init && terraform -chdir=${stackDir(id)} apply`;
  const environmentsIn = (account: string) =>
    inputs.environments.filter((env) => env.accountId === account).map((env) => env.name);
  const variables = githubRoleVariables(inputs);
  const width = Math.max(...variables.map((v) => v.environment.length));
  return [
    `Synthesized ${[stacks.state, ...stacks.accounts.values()].map((s) => stackDir(s.node.id)).join(", ")}.`,
    "",
    "1. Apply each stack with administrator credentials for its account (state stays in",
    `   ${HERE}/terraform.<stack>.tfstate; keep those files):`,
    `   account ${inputs.state.accountId} (state bucket ${inputs.state.bucket}):`,
    `     ${apply(stacks.state.node.id)}`,
    ...[...stacks.accounts].flatMap(([account, stack]) => [
      `   account ${account} (${environmentsIn(account).join(", ")}):`,
      `     ${apply(stack.node.id)}`,
    ]),
    "",
    "2. In GitHub, Settings → Environments: create each environment below with the variable AWS_ROLE_ARN",
    "   and the secrets DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET:",
    ...variables.map((v) => `   ${v.environment.padEnd(width)}  AWS_ROLE_ARN=${v.roleArn}`),
    "",
    "3. Once per repository, as a repository administrator: make GitHub name the workflow in every OIDC",
    `   subject (claims ${OIDC_SUBJECT_CLAIMS.join(", ")}), which the roles require:`,
    `     ${oidcSubjectSetting(inputs.github)}`,
    `   Check it: gh api repos/${inputs.github.owner}/${inputs.github.repository}/actions/oidc/customization/sub`,
    "",
  ].join("\n");
}

export function bootstrapProgram(): Command {
  return new Command("bootstrap")
    .description("synthesize the Terraform state bucket and GitHub Actions' AWS roles (local state)")
    .option("-s, --settings <file>", "the bootstrap inputs", join(HERE, "bootstrap.yaml"))
    .option("-c, --config <dir>", "the environments' config folder", "config")
    .option("-o, --out <dir>", "output folder", join(HERE, "cdktf.out"))
    .action((options: BootstrapOptions) => {
      const inputs = loadBootstrapInputs(options.settings, options.config);
      const app = new App({ outdir: options.out, stackTraces: false });
      const stacks = addBootstrapStacks(app, inputs, { outDir: options.out, stateDir: HERE });
      app.synth();
      process.stdout.write(nextSteps(inputs, stacks, options.out));
    });
}

export function runBootstrap(argv: string[]): void {
  try {
    bootstrapProgram().parse(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const diagnostic of error.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      process.exitCode = 1;
    } else if (error instanceof BootstrapInputError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `bootstrap: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 2;
    }
  }
}

if (require.main === module) runBootstrap(process.argv);
