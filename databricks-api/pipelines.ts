/**
 * The events pipeline through the Pipelines API (https://docs.databricks.com/api/pipelines/v2/pipeline):
 * - `GET /api/2.0/pipelines/{id}`: `state` (IDLE, RUNNING, FAILED, DEPLOYING, STARTING, STOPPING, …),
 *   `health`, `cause`, `spec` (`continuous`, `development`) and `latest_updates` (newest first:
 *   `update_id`, `state`, `creation_time`);
 * - `POST /api/2.0/pipelines/{id}/updates` `{ full_refresh: false }` starts an update (refused while one
 *   runs) and answers `{ update_id }`;
 * - `POST /api/2.0/pipelines/{id}/stop` stops the active update (the pipeline goes IDLE);
 * - `GET /api/2.0/pipelines/{id}/updates/{update_id}` answers `{ update: { state, cause, … } }`, the state
 *   one of QUEUED, CREATED, WAITING_FOR_RESOURCES, INITIALIZING, RESETTING, SETTING_UP_TABLES, RUNNING,
 *   STOPPING, COMPLETED, FAILED, CANCELED.
 * The update page's link has the form the Databricks CLI prints: `<host>/#joblist/pipelines/<id>/updates/<update>`.
 */
import type { DatabricksClient } from "./client";
import { pause, type Polling } from "./polling";

export interface UpdateSummary {
  readonly update_id?: string;
  readonly state?: string;
  readonly creation_time?: string;
}

export interface PipelineInfo {
  readonly pipeline_id?: string;
  readonly name?: string;
  readonly state?: string;
  readonly health?: string;
  readonly cause?: string;
  readonly spec?: { readonly continuous?: boolean; readonly development?: boolean };
  readonly latest_updates?: readonly UpdateSummary[];
}

/** Where an update ends. */
export const FINISHED_UPDATE_STATES = new Set(["COMPLETED", "FAILED", "CANCELED"]);

export function getPipeline(client: DatabricksClient, pipelineId: string): Promise<PipelineInfo> {
  return client.get<PipelineInfo>(`/api/2.0/pipelines/${encodeURIComponent(pipelineId)}`);
}

export async function startUpdate(client: DatabricksClient, pipelineId: string): Promise<string> {
  const answer = await client.post<{ update_id?: string }>(
    `/api/2.0/pipelines/${encodeURIComponent(pipelineId)}/updates`,
    { full_refresh: false },
  );
  if (!answer.update_id) throw new Error("the Pipelines API started an update but returned no update_id");
  return answer.update_id;
}

/** Stops the pipeline's active update and waits until the pipeline is IDLE. */
export async function stopPipeline(
  client: DatabricksClient,
  pipelineId: string,
  polling: Polling,
): Promise<void> {
  await client.post(`/api/2.0/pipelines/${encodeURIComponent(pipelineId)}/stop`, {});
  for (;;) {
    const { state } = await getPipeline(client, pipelineId);
    if (state === "IDLE" || state === "FAILED") return;
    await pause(polling, `the pipeline to stop (last state ${state ?? "unknown"})`);
  }
}

export function updateUrl(host: string, pipelineId: string, updateId: string): string {
  return `${host}/#joblist/pipelines/${pipelineId}/updates/${updateId}`;
}

/**
 * Polls an update until it completes, fails or is canceled, or reaches one of `alsoUntil` (a continuous
 * pipeline's update never completes: RUNNING is as far as it gets); returns that state.
 */
export async function waitForUpdate(
  client: DatabricksClient,
  pipelineId: string,
  updateId: string,
  polling: Polling,
  alsoUntil: ReadonlySet<string> = new Set(),
): Promise<string> {
  const path = `/api/2.0/pipelines/${encodeURIComponent(pipelineId)}/updates/${encodeURIComponent(updateId)}`;
  for (;;) {
    const { update } = await client.get<{ update?: { state?: string } }>(path);
    const state = update?.state ?? "UNKNOWN";
    if (FINISHED_UPDATE_STATES.has(state) || alsoUntil.has(state)) return state;
    await pause(polling, `pipeline update ${updateId} (last state ${state})`);
  }
}
