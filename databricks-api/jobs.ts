/**
 * Job runs through the Jobs API 2.2 (https://docs.databricks.com/api/workspace/jobs):
 * - `POST /api/2.2/jobs/run-now` `{ job_id }` answers `{ run_id, number_in_job }`;
 * - `GET /api/2.2/jobs/runs/get?run_id=<id>` answers the run with `run_page_url` and `state`:
 *   `life_cycle_state` (QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED, INTERNAL_ERROR,
 *   BLOCKED, WAITING_FOR_RETRY), `result_state` once it ended (SUCCESS, FAILED, TIMEDOUT, CANCELED, …)
 *   and `state_message`.
 */
import type { DatabricksClient } from "./client";
import { pause, type Polling } from "./polling";

export interface RunState {
  readonly life_cycle_state?: string;
  readonly result_state?: string;
  readonly state_message?: string;
}

export interface JobRun {
  readonly run_id?: number;
  readonly run_page_url?: string;
  readonly state?: RunState;
}

/** Life-cycle states a run does not leave. */
const ENDED = new Set(["TERMINATED", "SKIPPED", "INTERNAL_ERROR"]);

export async function runNow(client: DatabricksClient, jobId: number): Promise<number> {
  const answer = await client.post<{ run_id?: number }>("/api/2.2/jobs/run-now", { job_id: jobId });
  if (answer.run_id === undefined) throw new Error("the Jobs API started a run but returned no run_id");
  return answer.run_id;
}

export function getRun(client: DatabricksClient, runId: number): Promise<JobRun> {
  return client.get<JobRun>("/api/2.2/jobs/runs/get", { run_id: runId });
}

/** Polls a run until it ended; `onStart` gets the run's page as soon as it is known. */
export async function waitForRun(
  client: DatabricksClient,
  runId: number,
  polling: Polling,
  onStart?: (run: JobRun) => void,
): Promise<JobRun> {
  let announced = false;
  for (;;) {
    const run = await getRun(client, runId);
    if (!announced) {
      onStart?.(run);
      announced = true;
    }
    if (ENDED.has(run.state?.life_cycle_state ?? "")) return run;
    await pause(polling, `job run ${runId} (last state ${run.state?.life_cycle_state ?? "unknown"})`);
  }
}

/** A run succeeded when it terminated with SUCCESS. */
export function succeeded(run: JobRun): boolean {
  return run.state?.life_cycle_state === "TERMINATED" && run.state.result_state === "SUCCESS";
}
