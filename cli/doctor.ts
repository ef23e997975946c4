import { Command } from "commander";
import { tfBinOption } from "./arguments";
import { runDoctor, type Check, type LambdaConcurrency } from "../doctor/doctor";
import { missingBinaryMessage, resolveTerraformBinary } from "../plan";
import { runTool } from "../plan/run-tool";
import { noteNodeSupport, processCommandContext, runCommand, type CommandContext } from "./runner";
import { addWorkspaceOptions, openWorkspace, type WorkspaceOptions } from "./workspace";

/** Exit codes: 0 nothing missing, 1 invalid input, 2 internal error, 3 something is missing. */
const DOCTOR_EXIT = { ready: 0, missing: 3 } as const;

interface DoctorOptions extends WorkspaceOptions {
  readonly tfBin?: string;
  readonly accountId?: string;
  readonly json?: boolean;
}

/** `terraform version -json` (OpenTofu answers the same): the version, or why there is none. */
async function terraformVersion(binary: string, processEnv: NodeJS.ProcessEnv): Promise<string> {
  let run;
  try {
    run = await runTool(binary, ["version", "-json"], {
      cwd: process.cwd(),
      env: processEnv,
      echo: () => undefined,
      captureStdout: true,
    });
  } catch {
    throw new Error(missingBinaryMessage(binary));
  }
  const version = (JSON.parse(run.stdout || "{}") as { terraform_version?: string }).terraform_version;
  if (run.exitCode !== 0 || !version) throw new Error(`${binary} version -json did not say its version`);
  return version;
}

/** `aws lambda get-account-settings`, and the ingest function's reservation today (none before a deploy). */
async function lambdaConcurrency(region: string, functionName: string): Promise<LambdaConcurrency> {
  // Loaded on use: the SDK client would slow every other command down.
  const {
    GetAccountSettingsCommand,
    GetFunctionConcurrencyCommand,
    LambdaClient,
    ResourceNotFoundException,
  } = await import("@aws-sdk/client-lambda");
  const client = new LambdaClient({ region, maxAttempts: 2 });
  try {
    const { AccountLimit } = await client.send(new GetAccountSettingsCommand({}));
    const current = await client
      .send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }))
      .catch((error: unknown) => {
        if (error instanceof ResourceNotFoundException) return { ReservedConcurrentExecutions: 0 };
        throw error;
      });
    return {
      accountLimit: AccountLimit?.ConcurrentExecutions ?? 0,
      unreserved: AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      currentReservation: current.ReservedConcurrentExecutions ?? 0,
    };
  } finally {
    client.destroy();
  }
}

function render(env: string, checks: readonly Check[]): string {
  const label = { ok: "ok", missing: "MISSING", unknown: "unknown" };
  const lines = checks.map((c) => `  ${label[c.status].padEnd(8)} ${c.subject}: ${c.detail}`);
  const missing = checks.filter((c) => c.status === "missing").length;
  const unknown = checks.filter((c) => c.status === "unknown").length;
  const verdict = missing === 0 ? "ready" : `${missing} prerequisite(s) missing`;
  return [
    `lakestack doctor [${env}]: ${verdict}${unknown ? `; ${unknown} could not be checked` : ""}`,
    ...lines,
  ].join("\n");
}

const EXAMPLES = `
Examples:
  $ lakestack doctor --env dev
  $ DATABRICKS_ACCOUNT_ID=<account id> lakestack doctor --env prod
  $ lakestack doctor --env staging --json | jq '.checks[] | select(.status != "ok")'

Checks with your credentials, changing nothing: Terraform >= 1.10; who you are in the workspace;
that every group, user and service principal the grants, permissions and run_as name exists; your
servicePrincipal.user role on the run-as service principal (needs the account id); Unity Catalog and
your metastore privileges (CREATE CATALOG, CREATE EXTERNAL LOCATION, CREATE SERVICE CREDENTIAL,
CREATE STORAGE CREDENTIAL, and CREATE SHARE / CREATE RECIPIENT with sharing); serverless SQL
warehouses; and, with AWS credentials, the Lambda concurrency quota against
http_ingest.reserved_concurrency (AWS keeps 100 executions unreserved).
Exit codes: 0 nothing missing, 1 invalid input, 2 internal error, 3 something is missing.`;

/** `lakestack doctor --env <name>`: what a first deploy needs that lakestack cannot create. */
export function doctorCommand(context: CommandContext = processCommandContext): Command {
  return addWorkspaceOptions(
    new Command("doctor").description(
      "check the prerequisites of an environment's deploy with your credentials",
    ),
    { outputs: false },
  )
    .addOption(tfBinOption())
    .option(
      "--account-id <id>",
      "Databricks account id, for the run-as role check (default: $DATABRICKS_ACCOUNT_ID)",
    )
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", EXAMPLES)
    .action((options: DoctorOptions, self: Command) =>
      runCommand(context, { name: "doctor", json: options.json }, async () => {
        noteNodeSupport(context.err);
        const { environment, client } = openWorkspace(self, options, context.processEnv);
        const binary = resolveTerraformBinary(options.tfBin, context.processEnv);
        const checks = await runDoctor({
          environment,
          client,
          accountId: options.accountId ?? context.processEnv.DATABRICKS_ACCOUNT_ID?.trim() ?? undefined,
          terraformVersion: () => terraformVersion(binary, context.processEnv),
          lambdaConcurrency: (name) => lambdaConcurrency(environment.config.aws.region, name),
        });
        const missing = checks.some((c) => c.status === "missing");
        if (options.json) {
          context.out(JSON.stringify({ ok: !missing, env: options.env, checks }, null, 2));
        } else {
          context.out(render(options.env, checks));
        }
        context.setExitCode(missing ? DOCTOR_EXIT.missing : DOCTOR_EXIT.ready);
      }),
    );
}
