import { Command } from "commander";
import { integerIn } from "./arguments";
import { SYNTHETIC_DEVICE_PREFIX } from "../events/contract";
import type { Environment } from "../loader/load";
import { outputString } from "../views/outputs";
import { verifyEnvironment, type IngestPath, type VerifyReport, type VerifyTarget } from "../verify/verify";
import {
  InputError,
  noteNodeSupport,
  processCommandContext,
  runCommand,
  type CommandContext,
} from "./runner";
import {
  addWorkspaceOptions,
  durationOption,
  elapsed,
  lastDeploy,
  openWorkspace,
  type DeployedOptions,
} from "./workspace";

/** Exit codes: 0 pass, 1 invalid input, 2 internal error, 3 a check failed, 4 timed out. */
const VERIFY_EXIT = { pass: 0, fail: 3, timeout: 4 } as const;

interface VerifyCommandOptions extends DeployedOptions {
  readonly events: number;
  readonly timeout: number;
  readonly pollInterval: number;
  readonly maxLatency?: number;
  readonly json?: boolean;
}

/** The ingest paths the environment has, each with how to send through it, as its clients do. */
async function ingestPaths(
  environment: Environment,
  outputs: Readonly<Record<string, unknown>>,
  where: string,
) {
  // Loaded on use: the AWS SDK behind it would slow every other command down.
  const { openTarget } = await import("../simulator/simulate");
  const { config } = environment;
  const paths: Array<{ path: IngestPath; send: VerifyTarget["paths"][number]["send"]; close: () => void }> =
    [];
  if (config.http_ingest.enabled) {
    const url = required(outputs, "ingestUrl", where, "deploy again");
    paths.push({ path: "http", ...(await openTarget({ kind: "http", url }, 1)) });
  }
  if (config.browser_ingest.enabled) {
    // The page puts records into the stream directly; verify does the same with your AWS credentials.
    const streamName = required(outputs, "streamName", where, "deploy again");
    const region = outputString(outputs, "region", where) ?? config.aws.region;
    try {
      paths.push({ path: "kinesis", ...(await openTarget({ kind: "kinesis", streamName, region }, 1)) });
    } catch (error) {
      throw new InputError(`${(error as Error).message} (verify puts records into ${streamName} as you)`);
    }
  }
  return paths;
}

function required(
  outputs: Readonly<Record<string, unknown>>,
  name: string,
  where: string,
  why: string,
): string {
  const value = outputString(outputs, name, where);
  if (!value) throw new InputError(`${where} has no ${name}: ${why}`);
  return value;
}

function render(env: string, report: VerifyReport, pollInterval: number): string {
  const lines = report.paths.map(
    (p) =>
      `  ${p.path.padEnd(7)} ${p.device}  sent ${p.sent}  accepted ${p.accepted}  in sensor ${p.rows}` +
      (p.latencyMs === undefined ? "" : `  after ${elapsed(p.latencyMs)}`),
  );
  if (report.globalStat) {
    lines.push(
      `  global_stat counts ${report.globalStat.events} readings (needed ${report.globalStat.required})`,
    );
  }
  const pipeline = report.pipeline;
  lines.push(
    `  pipeline ${pipeline.state ?? "?"} (${pipeline.continuous ? "continuous" : "triggered"})` +
      (pipeline.lastUpdate ? `, last update ${pipeline.lastUpdate}` : "") +
      (report.update ? `; verify's update ${report.update.state}: ${report.update.url}` : ""),
  );
  if (report.latencyMs) {
    lines.push(
      `  latency (sent → in sensor, to the nearest ${elapsed(pollInterval)}): ` +
        `p50 ${(report.latencyMs.p50 / 1000).toFixed(1)} s, max ${(report.latencyMs.max / 1000).toFixed(1)} s`,
    );
  }
  const verdict = { pass: "PASS", fail: "FAIL", timeout: "TIMED OUT" }[report.verdict];
  return [`lakestack verify [${env}]: ${verdict}${report.reason ? `: ${report.reason}` : ""}`, ...lines].join(
    "\n",
  );
}

const EXAMPLES = `
Examples:
  $ lakestack verify --env dev
  $ lakestack verify --env prod --events 10 --timeout 20m --max-latency 2m
  $ lakestack verify --env staging --json | jq '.latencyMs'

Sends a burst of synthetic events from a fresh device id through each ingest path the environment
has (POST to the HTTP ingest URL; PutRecords straight into the stream, as the page does), starts one
update of a triggered (development) pipeline, then polls the SQL warehouse until the rows are in
sensor and global_stat counts them, and checks the pipeline's state and last update.
Synthetic device ids start with ${SYNTHETIC_DEVICE_PREFIX} (real ones have 12 hex digits): leave them
out downstream with WHERE device NOT LIKE '${SYNTHETIC_DEVICE_PREFIX}%'.
Needs AWS credentials that may put records into the stream, and Databricks credentials
(DATABRICKS_CLIENT_ID/SECRET or DATABRICKS_TOKEN) that may use the warehouse and SELECT in the schema.
Exit codes: 0 pass, 1 invalid input, 2 internal error, 3 a check failed, 4 timed out.`;

/** `lakestack verify --env <name>`: proof that events reach the tables, with latency and a verdict. */
export function verifyCommand(context: CommandContext = processCommandContext): Command {
  return addWorkspaceOptions(
    new Command("verify").description(
      "prove a deployed environment works: events in, rows out, with latency",
    ),
  )
    .option("--events <count>", "events per ingest path", integerIn(1, 500), 5)
    .addOption(durationOption("--timeout <duration>", "give up after this long", "15m"))
    .addOption(durationOption("--poll-interval <duration>", "how often to look", "10s"))
    .addOption(durationOption("--max-latency <duration>", "also fail when the slowest event took longer"))
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", EXAMPLES)
    .action((options: VerifyCommandOptions, self: Command) =>
      runCommand(context, { name: "verify", json: options.json }, async () => {
        noteNodeSupport(context.err);
        const started = Date.now();
        const { environment, client } = openWorkspace(self, options, context.processEnv);
        const outputs = lastDeploy(options);
        const where = `${options.outputs}: ${options.env}`;
        const warehouseId = required(outputs, "warehouseId", where, "verify reads through the SQL warehouse");
        const paths = await ingestPaths(environment, outputs, where);
        try {
          const report = await verifyEnvironment(
            {
              client,
              pipelineId: required(outputs, "pipelineId", where, "deploy again"),
              warehouseId,
              catalog: required(outputs, "catalog", where, "deploy again"),
              schema: required(outputs, "schema", where, "deploy again"),
              paths,
            },
            {
              events: options.events,
              polling: { intervalMs: options.pollInterval, deadline: started + options.timeout },
              maxLatencyMs: options.maxLatency,
              say: (text) => context.err(`lakestack verify [${options.env}]: ${text}`),
            },
          );
          if (options.json) {
            context.out(
              JSON.stringify(
                {
                  ok: report.verdict === "pass",
                  env: options.env,
                  seconds: Math.round((Date.now() - started) / 1000),
                  ...report,
                },
                null,
                2,
              ),
            );
          } else {
            context.out(render(options.env, report, options.pollInterval));
          }
          context.setExitCode(VERIFY_EXIT[report.verdict]);
        } finally {
          for (const path of paths) path.close();
        }
      }),
    );
}
