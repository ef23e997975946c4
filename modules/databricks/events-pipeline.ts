import { Permissions } from "@cdktf/provider-databricks/lib/permissions";
import { Pipeline } from "@cdktf/provider-databricks/lib/pipeline";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accessControl, runAs, type PermissionEntry, type Principal } from "./principals";

export interface EventsPipelineProps {
  readonly name: string;
  readonly catalog: string;
  readonly schema: string;
  readonly notebookPath: string;
  /** More notebooks the pipeline runs beside the ingest notebook (workspace paths). @default [] */
  readonly libraryPaths?: readonly string[];
  /** Settings every notebook reads with spark.conf.get; lakestack's own `lakestack.*` keys win. @default {} */
  readonly configuration?: Readonly<Record<string, string>>;
  readonly streamName: string;
  readonly region: string;
  readonly serviceCredentialName: string;
  /** The event contract the pipeline enforces: records that break it go to the quarantine schema. */
  readonly contract: {
    readonly magnitudeMax: number;
    readonly maxAgeSeconds: number;
    readonly maxAheadSeconds: number;
    /** The device id pattern, as events/contract.ts has it. */
    readonly devicePattern: string;
    /** `<catalog>.<schema>` of the quarantine. */
    readonly quarantineSchema: string;
  };
  /** @default "trim_horizon" */
  readonly startingPosition?: string;
  /** Production runs continuously; development runs triggered with development: true. */
  readonly mode: "development" | "production";
  /** @default "CURRENT" */
  readonly channel?: string;
  /** @default [] */
  readonly notifications?: readonly string[];
  /** @default - the deploying identity */
  readonly runAs?: Principal;
  /** @default [] */
  readonly permissions?: readonly PermissionEntry[];
  /**
   * Everything the first update needs. A continuous pipeline's create waits until it is RUNNING and
   * the provider deletes the pipeline when that first update fails, so all of it must exist first.
   */
  readonly dependsOn: readonly ITerraformDependable[];
  /** Refuse terraform destroy (production): deleting a pipeline drops its tables. @default false */
  readonly protect?: boolean;
}

/** The serverless Delta Live Tables pipeline from Kinesis into the environment's schema. */
export class EventsPipeline extends Construct {
  readonly pipeline: Pipeline;

  constructor(scope: Construct, id: string, props: EventsPipelineProps) {
    super(scope, id);
    const production = props.mode === "production";
    this.pipeline = new Pipeline(this, "pipeline", {
      name: props.name,
      serverless: true,
      catalog: props.catalog,
      schema: props.schema,
      continuous: production,
      development: !production,
      channel: props.channel ?? "CURRENT",
      configuration: {
        ...props.configuration,
        "lakestack.kinesis.stream_name": props.streamName,
        "lakestack.kinesis.region": props.region,
        "lakestack.kinesis.service_credential": props.serviceCredentialName,
        "lakestack.kinesis.starting_position": props.startingPosition ?? "trim_horizon",
        "lakestack.contract.magnitude_max": String(props.contract.magnitudeMax),
        "lakestack.contract.max_age_seconds": String(props.contract.maxAgeSeconds),
        "lakestack.contract.max_ahead_seconds": String(props.contract.maxAheadSeconds),
        "lakestack.contract.device_pattern": props.contract.devicePattern,
        "lakestack.contract.quarantine_schema": props.contract.quarantineSchema,
      },
      // An ordered list in the provider: the ingest notebook first, the rest sorted, so YAML order never shows.
      library: [props.notebookPath, ...[...(props.libraryPaths ?? [])].sort()].map((path) => ({
        notebook: { path },
      })),
      notification: props.notifications?.length
        ? [
            {
              emailRecipients: [...props.notifications],
              alerts: ["on-update-failure", "on-update-fatal-failure", "on-flow-failure"],
            },
          ]
        : undefined,
      runAs: runAs(props.runAs),
      dependsOn: [...props.dependsOn],
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    if (props.permissions?.length) {
      new Permissions(this, "permissions", {
        pipelineId: this.pipeline.id,
        accessControl: accessControl(props.permissions),
      });
    }
  }
}
