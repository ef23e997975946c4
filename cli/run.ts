import { Command } from "commander";
import { getRun, runNow, succeeded, waitForRun, type JobRun } from "../databricks-api/jobs";
import { DeadlineExceeded, type Polling } from "../databricks-api/polling";
import {
  getPipeline,
  startUpdate,
  stopPipeline,
  updateUrl,
  waitForUpdate,
} from "../databricks-api/pipelines";
import { outputString } from "../views/outputs";
import { InputError, processCommandContext, runCommand, type CommandContext } from "./runner";
import {
  addWorkspaceOptions,
  durationOption,
  elapsed,
  lastDeploy,
  openWorkspace,
  type Workspace,
  type DeployedOptions,
} from "./workspace";

/** Exit codes: 0 succeeded, 1 invalid input, 2 internal error, 3 the run failed, 4 timed out. */
const RUN_EXIT = { succeeded: 0, failed: 3, timedOut: 4 } as const;

interface RunOptions extends DeployedOptions {
  readonly timeout: number;
  readonly pollInterval: number;
  readonly wait: boolean;
  readonly restart?: boolean;
  readonly json?: boolean;
}

interface RunOutcome {
  readonly target: string;
  readonly kind: "pipeline update" | "job run";
  readonly id: string;
  /** The update's or run's final (or, with --no-wait, first) state. */
  readonly state: string;
  readonly url?: string;
  readonly ok: boolean;
}

const PIPELINE = "pipeline";

async function runPipeline(
  { client, environment }: Workspace,
  outputs: Readonly<Record<string, unknown>>,
  options: RunOptions,
  polling: Polling,
  say: (text: string) => void,
): Promise<RunOutcome> {
  const pipelineId = outputString(outputs, "pipelineId", `${options.outputs}: ${options.env}`);
  if (!pipelineId)
    throw new InputError(`${options.outputs} has no pipelineId for ${options.env}: deploy it first`);
  const pipeline = await getPipeline(client, pipelineId);
  const continuous = pipeline.spec?.continuous ?? environment.config.mode === "production";
  if (continuous && pipeline.state === "RUNNING") {
    if (!options.restart) {
      throw new InputError(
        `${environment.name}'s pipeline is continuous and RUNNING: it reads the stream already ` +
          "(--restart stops and starts it)",
      );
    }
    say("stopping the running pipeline");
    await stopPipeline(client, pipelineId, polling);
  }
  const updateId = await startUpdate(client, pipelineId);
  const url = updateUrl(client.host, pipelineId, updateId);
  say(`started pipeline update ${updateId}: ${url}`);
  const state = options.wait
    ? await waitForUpdate(
        client,
        pipelineId,
        updateId,
        polling,
        continuous ? new Set(["RUNNING"]) : undefined,
      )
    : "STARTED";
  const ok = !options.wait || state === "COMPLETED" || (continuous && state === "RUNNING");
  return { target: PIPELINE, kind: "pipeline update", id: updateId, state, url, ok };
}

function jobIdOf(outputs: Readonly<Record<string, unknown>>, key: string, options: RunOptions): number {
  const ids = outputs.jobIds;
  const known = ids && typeof ids === "object" ? (ids as Record<string, unknown>) : {};
  const id = Number(known[key]);
  if (!Object.hasOwn(known, key) || !Number.isSafeInteger(id)) {
    const choices = [PIPELINE, ...Object.keys(known)].join(", ");
    throw new InputError(`no job '${key}' in ${options.env}'s last deploy (choose one of: ${choices})`);
  }
  return id;
}

async function runJob(
  { client }: Workspace,
  outputs: Readonly<Record<string, unknown>>,
  key: string,
  options: RunOptions,
  polling: Polling,
  say: (text: string) => void,
): Promise<RunOutcome> {
  const runId = await runNow(client, jobIdOf(outputs, key, options));
  let url: string | undefined;
  const announce = (run: JobRun) => {
    url = run.run_page_url;
    say(`started job ${key}, run ${runId}${url ? `: ${url}` : ""}`);
  };
  if (!options.wait) {
    const run = await getRun(client, runId);
    announce(run);
    return { target: key, kind: "job run", id: String(runId), state: "STARTED", url, ok: true };
  }
  const run = await waitForRun(client, runId, polling, announce);
  const state = [run.state?.life_cycle_state, run.state?.result_state].filter(Boolean).join(" ");
  return { target: key, kind: "job run", id: String(runId), state, url, ok: succeeded(run) };
}

const EXAMPLES = `
Examples:
  $ lakestack run --env dev pipeline           # one triggered update: the stream into the tables
  $ lakestack run --env prod device_max        # a job, by its key in the config
  $ lakestack run --env staging pipeline --restart --timeout 20m
  $ lakestack run --env dev magnitude_heatmap --no-wait --json

Starts a pipeline update or a job run through the Databricks REST API with your credentials
(DATABRICKS_CLIENT_ID/SECRET or DATABRICKS_TOKEN), waits for it and prints the result with a link.
A development pipeline is triggered: nothing else starts it. A continuous (production) pipeline runs
by itself: --restart stops it and starts a new update. Ids come from the last deploy's outputs.
Exit codes: 0 succeeded, 1 invalid input, 2 internal error, 3 the update or run failed, 4 timed out.`;

/** `lakestack run --env <name> <pipeline | job key>`: start one and wait for its result. */
export function runCommandFor(context: CommandContext = processCommandContext): Command {
  const command = new Command("run")
    .description("start the pipeline or a job in a deployed environment, wait, and report the result")
    .argument("<target>", `"${PIPELINE}" or a job key, e.g. device_max`);
  return addWorkspaceOptions(command)
    .addOption(durationOption("--timeout <duration>", "how long to wait for the result", "1h"))
    .addOption(durationOption("--poll-interval <duration>", "how often to look", "10s"))
    .option("--no-wait", "start it and return at once")
    .option("--restart", "restart a continuous pipeline that is running")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", EXAMPLES)
    .action((target: string, options: RunOptions, self: Command) =>
      runCommand(context, { name: "run", json: options.json }, async () => {
        const started = Date.now();
        const workspace = openWorkspace(self, options, context.processEnv);
        const outputs = lastDeploy(options);
        const polling = { intervalMs: options.pollInterval, deadline: started + options.timeout };
        const say = (text: string) => context.err(`lakestack run [${options.env}]: ${text}`);
        let outcome: RunOutcome;
        try {
          outcome =
            target === PIPELINE
              ? await runPipeline(workspace, outputs, options, polling, say)
              : await runJob(workspace, outputs, target, options, polling, say);
        } catch (error) {
          if (!(error instanceof DeadlineExceeded)) throw error;
          context.err(
            `lakestack run [${options.env}]: ${error.message} after ${elapsed(Date.now() - started)}`,
          );
          if (options.json)
            context.out(`${JSON.stringify({ ok: false, env: options.env, target, timedOut: true })}`);
          context.setExitCode(RUN_EXIT.timedOut);
          return;
        }
        const seconds = Math.round((Date.now() - started) / 1000);
        if (options.json) {
          context.out(`${JSON.stringify({ ...outcome, env: options.env, seconds }, null, 2)}`);
        } else {
          const link = outcome.url ? `: ${outcome.url}` : "";
          context.out(
            `lakestack run [${options.env}]: ${outcome.target} ${outcome.kind} ${outcome.id} ${outcome.state} ` +
              `after ${elapsed(Date.now() - started)}${link}`,
          );
        }
        context.setExitCode(outcome.ok ? RUN_EXIT.succeeded : RUN_EXIT.failed);
      }),
    );
}
