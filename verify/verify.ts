/**
 * The post-deploy proof: synthetic events go in through each ingest path the environment has, and come
 * out as rows of `sensor` that `global_stat` counts, read through the environment's SQL warehouse.
 *
 * 1. The pipeline must be able to run: not FAILED; a continuous one RUNNING.
 * 2. Each path gets a burst of events from a device id of its own (SYNTHETIC_DEVICE_PREFIX).
 * 3. A triggered (development) pipeline gets one update, since nothing else starts it.
 * 4. `sensor` is polled until every event is there; the time each device's rows appeared, minus when its
 *    events were sent, is the end-to-end latency (as fine as the poll interval).
 * 5. `global_stat` must count at least as many readings as `sensor` held once they were all there:
 *    `sensor` only grows, so a count that high means the view was computed over them.
 */
import { syntheticDeviceId, type DeviceEvent } from "../events/contract";
import type { DatabricksClient } from "../databricks-api/client";
import { DeadlineExceeded, pause, type Polling } from "../databricks-api/polling";
import {
  FINISHED_UPDATE_STATES,
  getPipeline,
  startUpdate,
  updateUrl,
  waitForUpdate,
  type PipelineInfo,
} from "../databricks-api/pipelines";
import { runStatement, StatementFailed, type StatementRequest } from "../databricks-api/statements";
import { percentile } from "../simulator/percentile";
import type { SendBatch } from "../simulator/simulate";

export type IngestPath = "http" | "kinesis";

export interface VerifyTarget {
  readonly client: DatabricksClient;
  readonly pipelineId: string;
  readonly warehouseId: string;
  readonly catalog: string;
  readonly schema: string;
  /** How to send through each enabled path. */
  readonly paths: ReadonlyArray<{ readonly path: IngestPath; readonly send: SendBatch }>;
}

export interface VerifyOptions {
  /** Events per path. @default 5 */
  readonly events?: number;
  readonly polling: Polling;
  /** Fail when the slowest event took longer. @default no limit */
  readonly maxLatencyMs?: number;
  /** Progress for people. */
  readonly say?: (text: string) => void;
}

export interface PathResult {
  readonly path: IngestPath;
  readonly device: string;
  readonly sent: number;
  readonly accepted: number;
  /** Rows of this device found in `sensor`. */
  readonly rows: number;
  /** Milliseconds from sending to the rows being visible; absent until they were. */
  readonly latencyMs?: number;
}

export type Verdict = "pass" | "fail" | "timeout";

export interface VerifyReport {
  readonly verdict: Verdict;
  /** Why it did not pass, in one sentence. */
  readonly reason?: string;
  readonly pipeline: { readonly state?: string; readonly continuous: boolean; readonly lastUpdate?: string };
  /** The update verify started (triggered pipelines). */
  readonly update?: { readonly id: string; readonly state: string; readonly url: string };
  readonly paths: readonly PathResult[];
  readonly globalStat?: { readonly events: number; readonly required: number };
  readonly latencyMs?: { readonly p50: number; readonly max: number };
}

/** A path's result while verification runs, with when its events were sent. */
type Tracked = { -readonly [K in keyof PathResult]: PathResult[K] } & { readonly sentAt: number };

/** Why verification stops early: a check failed. */
class Failed extends Error {}

/** Rows per synthetic device (`n`), and how many readings `sensor` holds in all (`total`). */
const SENSOR_ROWS = `SELECT device, count(*) AS n, (SELECT count(magn) FROM sensor) AS total
FROM sensor
WHERE device IN (:device_0, :device_1) AND time >= :since
GROUP BY device`;

const GLOBAL_STAT = "SELECT max(events) AS events FROM global_stat";

function lastUpdate(pipeline: PipelineInfo) {
  return pipeline.latest_updates?.[0];
}

/** Fails now when the pipeline cannot process anything. */
function checkPipeline(pipeline: PipelineInfo): void {
  const continuous = pipeline.spec?.continuous === true;
  const update = lastUpdate(pipeline);
  if (pipeline.state === "FAILED") {
    throw new Failed(
      `the pipeline is FAILED${update ? ` (last update ${update.update_id}: ${update.state})` : ""}`,
    );
  }
  if (continuous && pipeline.state !== "RUNNING") {
    throw new Failed(
      `the continuous pipeline is ${pipeline.state ?? "in no known state"}, so nothing reads the stream` +
        (update?.state === "FAILED" ? ` (last update ${update.update_id} FAILED)` : ""),
    );
  }
}

async function sendBursts(target: VerifyTarget, count: number, say: (text: string) => void) {
  const results: Tracked[] = [];
  for (const { path, send } of target.paths) {
    const device = syntheticDeviceId();
    const sentAt = Date.now();
    const events: DeviceEvent[] = Array.from({ length: count }, (_, i) => ({
      magnitude: i + 1,
      time: new Date(sentAt).toISOString(),
      device,
    }));
    const outcome = await send(events).catch((error: unknown) => ({
      accepted: 0,
      failures: [{ errorCode: error instanceof Error ? error.message : String(error) }],
    }));
    say(`${path.padEnd(7)} ${device}: ${count} sent, ${outcome.accepted} accepted`);
    results.push({ path, device, sent: count, accepted: outcome.accepted, rows: 0, sentAt });
    if (outcome.accepted < count) {
      const why = [...new Set(outcome.failures.map((f) => f.errorCode))].join(", ");
      throw new Failed(`${path} ingest accepted ${outcome.accepted} of ${count} events (${why})`);
    }
  }
  return results;
}

/** Runs one triggered update to its end; a failed one fails verification. */
async function runTriggeredUpdate(target: VerifyTarget, pipeline: PipelineInfo, options: VerifyOptions) {
  const say = options.say ?? (() => undefined);
  const active = lastUpdate(pipeline);
  if (active?.update_id && active.state && !FINISHED_UPDATE_STATES.has(active.state)) {
    say(`waiting for the running update ${active.update_id} first`);
    await waitForUpdate(target.client, target.pipelineId, active.update_id, options.polling);
  }
  const id = await startUpdate(target.client, target.pipelineId);
  const url = updateUrl(target.client.host, target.pipelineId, id);
  say(`started pipeline update ${id} (the pipeline is triggered): ${url}`);
  const state = await waitForUpdate(target.client, target.pipelineId, id, options.polling);
  if (state !== "COMPLETED") throw new Failed(`pipeline update ${id} ended ${state}: ${url}`);
  return { id, state, url };
}

/** Runs a statement in the environment's schema; a deadline passing while it runs names `what`. */
function query(
  target: VerifyTarget,
  request: Omit<StatementRequest, "warehouseId" | "catalog" | "schema">,
  polling: Polling,
  what?: () => string,
) {
  return runStatement(
    target.client,
    { warehouseId: target.warehouseId, catalog: target.catalog, schema: target.schema, ...request },
    polling,
    what,
  );
}

/** Polls `sensor` until every path's rows are there; returns how many readings it held by then. */
async function awaitRows(target: VerifyTarget, paths: Tracked[], options: VerifyOptions) {
  const since = new Date(Math.min(...paths.map((p) => p.sentAt)) - 60_000).toISOString();
  const devices = [...paths.map((p) => p.device), paths[0].device].slice(0, 2);
  const what = () => `the synthetic events in sensor (${describeRows(paths)})`;
  for (;;) {
    const { rows } = await query(
      target,
      {
        statement: SENSOR_ROWS,
        parameters: [
          { name: "device_0", value: devices[0] },
          { name: "device_1", value: devices[1] },
          { name: "since", value: since, type: "TIMESTAMP" },
        ],
      },
      options.polling,
      what,
    );
    const seenAt = Date.now();
    let total = 0;
    for (const [device, n, all] of rows) {
      const path = paths.find((p) => p.device === device);
      if (!path) continue;
      path.rows = Number(n);
      if (path.rows >= path.sent && path.latencyMs === undefined) path.latencyMs = seenAt - path.sentAt;
      total = Number(all);
    }
    if (paths.every((p) => p.rows >= p.sent)) return total;
    await pause(options.polling, what());
  }
}

function describeRows(paths: readonly PathResult[]): string {
  return paths.map((p) => `${p.path} ${p.rows}/${p.sent}`).join(", ");
}

async function awaitGlobalStat(target: VerifyTarget, required: number, options: VerifyOptions) {
  for (;;) {
    const { rows } = await query(target, { statement: GLOBAL_STAT }, options.polling);
    const events = Number(rows[0]?.[0] ?? 0);
    if (events >= required) return { events, required };
    await pause(options.polling, `global_stat to count ${required} readings (it counts ${events})`);
  }
}

function latencies(paths: readonly PathResult[]) {
  // Every event of a path became visible in the same poll: one latency per event.
  const each = paths
    .flatMap((p) => Array<number>(p.sent).fill(p.latencyMs ?? Number.NaN))
    .filter(Number.isFinite);
  if (each.length === 0) return undefined;
  const ascending = [...each].sort((a, b) => a - b);
  return { p50: percentile(ascending, 0.5), max: ascending[ascending.length - 1] };
}

/** Runs the whole proof; never throws for a failed check or a timeout, only for bugs and API errors. */
export async function verifyEnvironment(target: VerifyTarget, options: VerifyOptions): Promise<VerifyReport> {
  const say = options.say ?? (() => undefined);
  let pipelineReport: VerifyReport["pipeline"] = { continuous: false };
  let update: VerifyReport["update"];
  let paths: Tracked[] = [];
  let globalStat: VerifyReport["globalStat"];
  const report = (verdict: Verdict, reason?: string): VerifyReport => ({
    verdict,
    reason,
    pipeline: pipelineReport,
    update,
    paths: paths.map(({ sentAt: _sentAt, ...rest }) => rest),
    globalStat,
    latencyMs: latencies(paths),
  });
  try {
    const pipeline = await getPipeline(target.client, target.pipelineId);
    const continuous = pipeline.spec?.continuous === true;
    pipelineReport = { state: pipeline.state, continuous, lastUpdate: lastUpdate(pipeline)?.state };
    checkPipeline(pipeline);
    say(
      `pipeline ${pipeline.name ?? target.pipelineId}: ${pipeline.state ?? "unknown"} (${continuous ? "continuous" : "triggered"})` +
        (pipelineReport.lastUpdate ? `, last update ${pipelineReport.lastUpdate}` : ""),
    );
    if (target.paths.length === 0)
      throw new Failed("the environment has no ingest path enabled to send through");
    paths = await sendBursts(target, options.events ?? 5, say);
    if (!continuous) update = await runTriggeredUpdate(target, pipeline, options);
    const required = await awaitRows(target, paths, options);
    say(`sensor: every synthetic event is there (${describeRows(paths)})`);
    globalStat = await awaitGlobalStat(target, required, options);
    say(`global_stat: counts ${globalStat.events} readings, at least the ${required} sensor held`);
    const after = await getPipeline(target.client, target.pipelineId);
    checkPipeline(after);
    pipelineReport = { state: after.state, continuous, lastUpdate: lastUpdate(after)?.state };
    const slowest = latencies(paths)?.max ?? 0;
    if (options.maxLatencyMs !== undefined && slowest > options.maxLatencyMs) {
      return report(
        "fail",
        `the slowest event took ${slowest} ms, more than the ${options.maxLatencyMs} ms allowed`,
      );
    }
    return report("pass");
  } catch (error) {
    if (error instanceof Failed) return report("fail", error.message);
    if (error instanceof DeadlineExceeded) return report("timeout", error.message);
    if (error instanceof StatementFailed) return report("fail", `${error.message}${permissionHint(error)}`);
    throw error;
  }
}

/** Reading needs SELECT on the schema's tables: the deploying identity owns the catalog, not the tables. */
function permissionHint(error: StatementFailed): string {
  const text = `${error.errorCode ?? ""} ${error.message}`;
  return /PERMISSION_DENIED|INSUFFICIENT_PRIVILEGES|does not have/i.test(text)
    ? " (whoever runs verify needs USE CATALOG, USE SCHEMA and SELECT on the schema: grant them in unity_catalog.schema_grants or catalog_grants)"
    : "";
}
