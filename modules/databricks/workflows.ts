import { Job, type JobTask } from "@cdktf/provider-databricks/lib/job";
import { Permissions } from "@cdktf/provider-databricks/lib/permissions";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accessControl, runAs, type PermissionEntry, type Principal } from "./principals";

export interface WorkflowTask {
  readonly key: string;
  /** Workspace path of a notebook to run on serverless compute. */
  readonly notebookPath?: string;
  /** Refresh this pipeline (triggered pipelines only). */
  readonly pipelineId?: string;
  readonly dependsOn: readonly string[];
  readonly maxRetries: number;
  readonly timeoutSeconds: number;
}

export interface WorkflowProps {
  readonly name: string;
  readonly tasks: readonly WorkflowTask[];
  /** Passed to every notebook task. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly schedule?: { readonly cron: string; readonly timezone: string; readonly paused: boolean };
  /** Development pauses every schedule. */
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

/** One Databricks Workflows job: notebook and pipeline-refresh tasks on serverless compute. */
export class Workflow extends Construct {
  readonly job: Job;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const paused = props.mode === "development" || props.schedule?.paused === true;
    this.job = new Job(this, "job", {
      name: props.name,
      // Tasks are an ordered list in the provider: sorting by key keeps plans free of reorder noise.
      task: [...props.tasks]
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((t) => jobTask(t, props.parameters)),
      schedule: props.schedule && {
        quartzCronExpression: props.schedule.cron,
        timezoneId: props.schedule.timezone,
        pauseStatus: paused ? "PAUSED" : "UNPAUSED",
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

/** A task without cluster settings runs on serverless compute. */
function jobTask(task: WorkflowTask, parameters: Readonly<Record<string, string>>): JobTask {
  return {
    taskKey: task.key,
    dependsOn: task.dependsOn.length ? [...task.dependsOn].sort().map((taskKey) => ({ taskKey })) : undefined,
    maxRetries: task.maxRetries || undefined,
    timeoutSeconds: task.timeoutSeconds || undefined,
    notebookTask: task.notebookPath
      ? { notebookPath: task.notebookPath, source: "WORKSPACE", baseParameters: { ...parameters } }
      : undefined,
    pipelineTask: task.pipelineId ? { pipelineId: task.pipelineId, fullRefresh: false } : undefined,
  };
}
