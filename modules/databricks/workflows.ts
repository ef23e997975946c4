import { Job, type JobTask } from "@cdktf/provider-databricks/lib/job";
import { Permissions } from "@cdktf/provider-databricks/lib/permissions";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accessControl, runAs, type PermissionEntry, type Principal } from "./principals";

export interface WorkflowTask {
  readonly key: string;
  /** Workspace path of a notebook to run on serverless compute. */
  readonly notebookPath?: string;
  /** A SQL file (workspace path) to run on a SQL warehouse. */
  readonly sqlFile?: { readonly path: string; readonly warehouseId: string };
  /** Refresh this pipeline (triggered pipelines only). */
  readonly pipelineId?: string;
  /** The task's own parameters, added to the job-wide `parameters`. @default {} */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly dependsOn: readonly string[];
  readonly maxRetries: number;
  readonly timeoutSeconds: number;
}

export interface FileArrival {
  /** The storage URL to watch, e.g. `s3://bucket/raw/landing/`. */
  readonly url: string;
  readonly minTimeBetweenTriggersSeconds?: number;
  readonly waitAfterLastChangeSeconds?: number;
}

export interface WorkflowProps {
  readonly name: string;
  readonly tasks: readonly WorkflowTask[];
  /** Passed to every notebook and SQL file task (the environment's catalog and schema). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Job parameters: defaults every task sees, changeable for one run. @default {} */
  readonly jobParameters?: Readonly<Record<string, string>>;
  readonly schedule?: { readonly cron: string; readonly timezone: string; readonly paused: boolean };
  /** Run when files arrive under a storage URL instead of on a schedule. @default - no trigger */
  readonly fileArrival?: FileArrival;
  /** Development pauses every schedule and trigger. */
  readonly mode: "development" | "production";
  readonly onFailure: readonly string[];
  readonly maxConcurrentRuns: number;
  readonly queue: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** @default - the deploying identity */
  readonly runAs?: Principal;
  readonly permissions: readonly PermissionEntry[];
  /** What a first run reads and needs: the pipeline's tables, the run-as identity's grants. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** One Databricks Workflows job: notebook, SQL file and pipeline-refresh tasks on serverless compute. */
export class Workflow extends Construct {
  readonly job: Job;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const development = props.mode === "development";
    const paused = development || props.schedule?.paused === true;
    const jobParameters = sortedEntries(props.jobParameters ?? {});
    this.job = new Job(this, "job", {
      name: props.name,
      // Tasks are an ordered list in the provider: sorting by key keeps plans free of reorder noise.
      task: [...props.tasks]
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((t) => jobTask(t, props.parameters)),
      parameter: jobParameters.length
        ? jobParameters.map(([name, value]) => ({ name, default: value }))
        : undefined,
      schedule: props.schedule && {
        quartzCronExpression: props.schedule.cron,
        timezoneId: props.schedule.timezone,
        pauseStatus: paused ? "PAUSED" : "UNPAUSED",
      },
      trigger: props.fileArrival && {
        pauseStatus: development ? "PAUSED" : "UNPAUSED",
        fileArrival: { ...props.fileArrival },
      },
      emailNotifications: props.onFailure.length ? { onFailure: [...props.onFailure] } : undefined,
      notificationSettings: { noAlertForSkippedRuns: true, noAlertForCanceledRuns: true },
      maxConcurrentRuns: props.maxConcurrentRuns,
      queue: { enabled: props.queue },
      tags: Object.keys(props.tags).length ? { ...props.tags } : undefined,
      runAs: runAs(props.runAs),
      dependsOn: props.dependsOn && [...props.dependsOn],
    });
    if (props.permissions.length) {
      new Permissions(this, "permissions", {
        jobId: this.job.id,
        accessControl: accessControl(props.permissions),
      });
    }
  }
}

/** A task without cluster settings runs on serverless compute; a SQL file task on its warehouse. */
function jobTask(task: WorkflowTask, shared: Readonly<Record<string, string>>): JobTask {
  const parameters = Object.fromEntries(sortedEntries({ ...task.parameters, ...shared }));
  return {
    taskKey: task.key,
    dependsOn: task.dependsOn.length ? [...task.dependsOn].sort().map((taskKey) => ({ taskKey })) : undefined,
    maxRetries: task.maxRetries || undefined,
    timeoutSeconds: task.timeoutSeconds || undefined,
    notebookTask: task.notebookPath
      ? { notebookPath: task.notebookPath, source: "WORKSPACE", baseParameters: parameters }
      : undefined,
    sqlTask: task.sqlFile
      ? {
          warehouseId: task.sqlFile.warehouseId,
          file: { path: task.sqlFile.path, source: "WORKSPACE" },
          parameters,
        }
      : undefined,
    pipelineTask: task.pipelineId ? { pipelineId: task.pipelineId, fullRefresh: false } : undefined,
  };
}

function sortedEntries(map: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
