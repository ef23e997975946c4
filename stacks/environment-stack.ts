import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatabricksProvider } from "@cdktf/provider-databricks/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { LocalBackend, S3Backend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct, Node } from "constructs";
import { join, relative, resolve } from "node:path";
import { alarmSettings } from "../loader/alarms";
import type { Environment } from "../loader/load";
import { DEVICE_ID_PATTERN } from "../events/contract";
import { Alarms } from "../modules/aws/alarms";
import type { EnvironmentConfig, PrincipalKind } from "../loader/schema";
import { notebooksUsed, sqlFilesUsed, INGEST_NOTEBOOK } from "../loader/workloads";
import { BrowserIngest, type SiteFile } from "../modules/aws/browser-ingest";
import { DataLake } from "../modules/aws/data-lake";
import { EventStream } from "../modules/aws/event-stream";
import { DatabricksAccess, iamRoleArn } from "../modules/aws/databricks-access";
import { HttpIngest, type LambdaCode } from "../modules/aws/http-ingest";
import { ComputeInstanceProfile } from "../modules/databricks/compute-instance-profile";
import { Credentials } from "../modules/databricks/credentials";
import { DeltaSharing } from "../modules/databricks/delta-sharing";
import { EventsPipeline } from "../modules/databricks/events-pipeline";
import { Notebooks, SqlFiles } from "../modules/databricks/notebooks";
import { grantPrincipal, type PermissionEntry } from "../modules/databricks/principals";
import { QuarantineAlert } from "../modules/databricks/quarantine-alert";
import { SqlWarehouse } from "../modules/databricks/sql-warehouse";
import { UnityCatalog } from "../modules/databricks/unity-catalog";
import { Workflow } from "../modules/databricks/workflows";
import { assertUniqueAddresses, readableLogicalId } from "./addresses";
import { requireTerraformVersion } from "./terraform-version";

/** Files built from the repo's runtime code, shared by every environment of one synth. */
export interface BuildArtifacts {
  readonly ingestLambda: LambdaCode;
  readonly siteFiles: readonly SiteFile[];
}

export interface EnvironmentStackOptions {
  /** Where the stacks are written: a local state path is made relative to the stack's folder. */
  readonly outDir: string;
  readonly artifacts: BuildArtifacts;
}

/** Sets the permissions boundary on every IAM role in the stack that has none of its own (the guest role has). */
function capRoles(stack: TerraformStack, boundaryArn: string): void {
  for (const node of stack.node.findAll()) {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) {
      node.permissionsBoundary = boundaryArn;
    }
  }
}

/** YAML permissions, keyed by principal, as the access-control entries the modules take. */
function permissionEntries(
  map: Readonly<Record<string, { readonly kind: PrincipalKind; readonly level: string }>>,
): PermissionEntry[] {
  return Object.entries(map).map(([principal, p]) => ({ [p.kind]: principal, level: p.level }));
}

/** YAML grants, keyed by principal, as grant entries. */
function grantEntries(map: Readonly<Record<string, { readonly privileges: readonly string[] }>>) {
  return Object.entries(map).map(([principal, g]) => ({ principal, privileges: g.privileges }));
}

/** One environment: its providers, its state backend, and every capability its YAML enables. */
export class EnvironmentStack extends TerraformStack {
  constructor(scope: Construct, environment: Environment, options: EnvironmentStackOptions) {
    super(scope, environment.name);
    const { config, names } = environment;
    const production = config.mode === "production";

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: [config.aws.account_id],
      defaultTags: [
        {
          tags: {
            ...config.tags,
            project: config.project,
            environment: environment.name,
            "managed-by": "lakestack",
          },
        },
      ],
    });
    // Credentials come from the process environment only (DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID/SECRET).
    new DatabricksProvider(this, "databricks", { host: config.databricks.host });
    // hashicorp/time: waits for IAM changes to spread before Databricks validates them.
    new TimeProvider(this, "time");
    this.configureBackend(environment, options.outDir);
    requireTerraformVersion(this);

    const stream = new EventStream(this, "events", {
      name: names.stream,
      mode: config.stream.mode,
      shards: config.stream.shards,
      retentionHours: config.stream.retention_hours,
      kmsKeyArn: config.stream.kms_key_arn,
      shardLevelMetrics: config.stream.shard_level_metrics,
      protect: production,
    });
    const lake = new DataLake(this, "lake", {
      bucketName: names.lakeBucket,
      noncurrentVersionExpirationDays: config.lake.noncurrent_version_expiration_days,
      forceDestroy: config.lake.force_destroy,
      kmsKeyArn: config.lake.kms_key_arn,
      protect: production,
    });
    const browser = config.browser_ingest.enabled
      ? new BrowserIngest(this, "browser", {
          stream,
          transport: config.browser_ingest.transport,
          identityPoolName: names.identityPool,
          guestRoleName: names.guestRole,
          guestBoundaryName: names.guestBoundary,
          // The bootstrap's boundary, which no deploy can widen; without it the stack makes its own.
          guestBoundaryArn: config.aws.permissions_boundary
            ? `arn:aws:iam::${config.aws.account_id}:policy/${names.guestBoundary}`
            : undefined,
          siteBucketName: names.siteBucket,
          siteFiles: options.artifacts.siteFiles,
          region: config.aws.region,
          forceDestroy: !production,
        })
      : undefined;
    const http = config.http_ingest.enabled
      ? new HttpIngest(this, "http_ingest", {
          stream,
          functionName: names.ingestFunction,
          roleName: names.ingestRole,
          apiName: names.ingestApi,
          code: options.artifacts.ingestLambda,
          allowedOrigins: browser ? [browser.siteOrigin] : undefined,
          throttleRate: config.http_ingest.throttle_rate,
          throttleBurst: config.http_ingest.throttle_burst,
          memoryMb: config.http_ingest.memory_mb,
          timeoutSeconds: config.http_ingest.timeout_seconds,
          logRetentionDays: config.http_ingest.log_retention_days,
          maxBodyBytes: config.http_ingest.max_body_bytes,
          maxBatchRecords: config.http_ingest.max_batch_records,
          contract: contractBounds(config),
          accessLogGroupName: names.ingestAccessLogGroup,
          reservedConcurrency: config.http_ingest.reserved_concurrency,
        })
      : undefined;
    browser?.publishPage(http ? { url: http.ingestUrl, origin: http.origin } : undefined);
    const alarms = alarmSettings(config);

    // Databricks: credentials first (they take built role ARNs), then the roles that trust their external ids.
    const runAs = config.databricks.run_as;
    const credentials = new Credentials(this, "credentials", {
      serviceCredentialName: names.serviceCredential,
      kinesisReaderRoleArn: iamRoleArn(config.aws.account_id, names.kinesisReaderRole),
      storageCredentialName: names.storageCredential,
      lakeAccessRoleArn: iamRoleArn(config.aws.account_id, names.lakeAccessRole),
      pipelineRunAs: grantPrincipal(runAs),
    });
    const access = new DatabricksAccess(this, "databricks_access", {
      accountId: config.aws.account_id,
      stream,
      lakeBucketArn: lake.bucket.arn,
      lakeKmsKeyArn: config.lake.kms_key_arn,
      kinesisReader: { name: names.kinesisReaderRole, externalId: credentials.kinesis.awsIamRole.externalId },
      lakeAccess: { name: names.lakeAccessRole, externalId: credentials.lake.awsIamRole.externalId },
      computeRoleName: config.unity_catalog.instance_profile ? names.computeRole : undefined,
    });
    if (access.instanceProfile) {
      new ComputeInstanceProfile(this, "classic_compute", {
        instanceProfileArn: access.instanceProfile.arn,
        dependsOn: [access.propagated],
      });
    }
    const catalog = new UnityCatalog(this, "unity_catalog", {
      externalLocationName: names.externalLocation,
      storageCredentialName: credentials.lake.name,
      lakeBucketName: lake.bucket.bucket,
      catalogName: names.catalog,
      schemaName: names.schema,
      quarantineSchemaName: names.quarantineSchema,
      lakeAccess: [access.propagated],
      catalogGrants: grantEntries(config.unity_catalog.catalog_grants),
      schemaGrants: grantEntries(config.unity_catalog.schema_grants),
      runAs: grantPrincipal(runAs),
      protect: production,
      forceDestroy: !production,
    });

    const { workloads } = environment;
    const notebooks = new Notebooks(this, "notebooks", {
      notebooks: notebooksUsed(config).map((name) => workloads.notebooks.get(name)!),
      workspaceDir: names.workspaceDir,
    });
    const pipelineNotebook = notebooks.get(INGEST_NOTEBOOK);
    const libraries = Object.keys(config.pipeline.libraries).map((name) => notebooks.get(name));
    const pipeline = new EventsPipeline(this, "events_pipeline", {
      name: names.pipeline,
      catalog: catalog.catalog.name,
      schema: catalog.schema.name,
      notebookPath: pipelineNotebook.path,
      libraryPaths: libraries.map((notebook) => notebook.path),
      configuration: config.pipeline.configuration,
      streamName: stream.name,
      region: config.aws.region,
      serviceCredentialName: credentials.kinesis.name,
      contract: {
        ...contractBounds(config),
        devicePattern: DEVICE_ID_PATTERN.source,
        quarantineSchema: `${names.catalog}.${names.quarantineSchema}`,
      },
      startingPosition: config.pipeline.starting_position,
      mode: config.mode,
      channel: config.pipeline.channel,
      // The on-call people hear about failed updates as well as the pipeline's own list.
      notifications: [...new Set([...config.pipeline.notifications, ...(alarms?.emails ?? [])])],
      runAs,
      permissions: permissionEntries(config.pipeline.permissions),
      dependsOn: [
        credentials.kinesis,
        ...(credentials.kinesisGrants ? [credentials.kinesisGrants] : []),
        catalog.schema,
        ...(catalog.quarantineSchema ? [catalog.quarantineSchema] : []),
        ...catalog.grants,
        access.propagated,
        pipelineNotebook,
        ...libraries,
        stream.stream,
      ],
      protect: production,
    });
    const warehouse = config.warehouse.enabled
      ? new SqlWarehouse(this, "sql_warehouse", {
          name: names.warehouse,
          size: config.warehouse.size,
          autoStopMinutes: config.warehouse.auto_stop_minutes,
          minClusters: config.warehouse.min_clusters,
          maxClusters: config.warehouse.max_clusters,
          tags: { ...config.warehouse.tags, project: config.project, environment: environment.name },
          permissions: permissionEntries(config.warehouse.permissions),
        })
      : undefined;
    const sqlFileNames = sqlFilesUsed(config);
    const sqlFiles = sqlFileNames.length
      ? new SqlFiles(this, "sql_files", {
          files: sqlFileNames.map((name) => workloads.sqlFiles.get(name)!),
          workspaceDir: `${names.workspaceDir}/sql`,
        })
      : undefined;
    const jobIds: Record<string, string> = {};
    for (const [key, job] of Object.entries(config.jobs)) {
      const workflow = new Workflow(this, `job_${key}`, {
        name: names.job(key),
        tasks: Object.entries(job.tasks).map(([taskKey, t]) => ({
          key: taskKey,
          notebookPath: t.notebook ? notebooks.get(t.notebook).path : undefined,
          // The schema refuses SQL file tasks without a warehouse.
          sqlFile:
            t.sql_file && sqlFiles && warehouse
              ? { path: sqlFiles.get(t.sql_file).path, warehouseId: warehouse.warehouse.id }
              : undefined,
          pipelineId: t.pipeline_refresh ? pipeline.pipeline.id : undefined,
          parameters: t.parameters,
          dependsOn: t.depends_on,
          maxRetries: t.max_retries,
          timeoutSeconds: t.timeout_seconds,
        })),
        parameters: { catalog: names.catalog, schema: names.schema },
        jobParameters: job.parameters,
        schedule: job.schedule,
        fileArrival: job.file_arrival && {
          url: `s3://${names.lakeBucket}/${job.file_arrival.path}`,
          minTimeBetweenTriggersSeconds: job.file_arrival.min_time_between_triggers_seconds,
          waitAfterLastChangeSeconds: job.file_arrival.wait_after_last_change_seconds,
        },
        mode: config.mode,
        onFailure: job.on_failure,
        maxConcurrentRuns: job.max_concurrent_runs,
        queue: job.queue,
        tags: { ...job.tags, environment: environment.name },
        runAs,
        permissions: permissionEntries(job.permissions),
        // A first scheduled run reads the pipeline's tables as the run-as identity: both must be in place.
        dependsOn: [pipeline.pipeline, ...catalog.grants],
      });
      jobIds[key] = workflow.job.id;
    }
    const sharing = config.sharing.enabled
      ? new DeltaSharing(this, "delta_sharing", {
          shareName: names.share,
          objects: [
            ...(config.sharing.share_schema
              ? [{ name: `${names.catalog}.${names.schema}`, type: "SCHEMA" as const }]
              : []),
            ...Object.entries(config.sharing.objects).map(([name, o]) => ({
              name: `${names.catalog}.${names.schema}.${name}`,
              type: o.type,
              history: o.history,
            })),
          ],
          recipients: Object.entries(config.sharing.recipients).map(([name, r]) => ({
            name,
            auth: r.auth,
            ipAccessList: r.ip_access_list,
            metastoreId: r.metastore_id,
            comment: r.comment,
          })),
          dependsOn: [catalog.schema],
          protect: production,
        })
      : undefined;

    if (alarms) {
      const alarmTopic = new Alarms(this, "alarms", {
        topicName: names.alarmTopic,
        namePrefix: names.alarmPrefix,
        emails: alarms.emails,
        stream: {
          streamName: stream.name,
          iteratorAgeSeconds: alarms.iteratorAgeSeconds,
          continuousConsumer: production,
          throttledRecords: alarms.throttledRecords,
          incomingRecordsPerSecond: alarms.incomingEventsPerSecond,
        },
        ingest: http
          ? {
              functionName: http.function.functionName,
              apiId: http.api.id,
              errors: alarms.ingestErrors,
              http5xxPercent: alarms.http5xxPercent,
            }
          : undefined,
      });
      new TerraformOutput(this, "alarmTopicArn", { value: alarmTopic.topic.arn });
      if (warehouse && alarms.emails.length > 0) {
        new QuarantineAlert(this, "quarantine_alert", {
          name: `${names.alarmPrefix}quarantine`,
          warehouseId: warehouse.warehouse.id,
          acceptedTable: `${names.catalog}.${names.schema}.sensor`,
          quarantineTable: `${names.catalog}.${names.quarantineSchema}.events_quarantine`,
          percent: alarms.quarantinePercent,
          schedule: alarms.quarantineCheck.cron,
          windowHours: alarms.quarantineCheck.windowHours,
          emails: alarms.emails,
        });
      }
    }

    new TerraformOutput(this, "region", { value: config.aws.region });
    new TerraformOutput(this, "streamName", { value: stream.name });
    new TerraformOutput(this, "streamArn", { value: stream.arn });
    new TerraformOutput(this, "lakeBucket", { value: lake.bucket.bucket });
    if (browser) {
      new TerraformOutput(this, "siteUrl", { value: browser.siteUrl });
      if (browser.identityPool) {
        new TerraformOutput(this, "identityPoolId", { value: browser.identityPool.id });
      }
    }
    if (http) new TerraformOutput(this, "ingestUrl", { value: http.ingestUrl });
    new TerraformOutput(this, "catalog", { value: catalog.catalog.name });
    new TerraformOutput(this, "schema", { value: catalog.schema.name });
    new TerraformOutput(this, "pipelineId", { value: pipeline.pipeline.id });
    if (warehouse) new TerraformOutput(this, "warehouseId", { value: warehouse.warehouse.id });
    // lakestack run, verify and doctor read these from the last deploy's outputs.
    new TerraformOutput(this, "jobIds", { value: jobIds });
    if (sharing) {
      new TerraformOutput(this, "shareName", { value: sharing.share.name });
      for (const [name, r] of Object.entries(config.sharing.recipients)) {
        if (r.auth !== "token") continue;
        // The one-time link a partner activates: it grants the data, so it never prints in plans or logs.
        new TerraformOutput(this, `${name}ActivationUrl`, {
          value: sharing.activationUrl(name),
          sensitive: true,
        });
      }
    }

    if (config.aws.permissions_boundary) {
      // Whoever may edit these roles' policies (the deploy role) still cannot grant beyond the boundary.
      capRoles(this, `arn:aws:iam::${config.aws.account_id}:policy/${names.permissionsBoundary}`);
    }
    assertUniqueAddresses(this);
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    return readableLogicalId(element instanceof TerraformElement ? element.node : element, this);
  }

  private configureBackend(environment: Environment, outDir: string): void {
    const { state, aws } = environment.config;
    if (state.backend === "local") {
      // Kept outside cdktf.out (which every synth replaces), addressed relative to the stack's folder.
      const statePath = resolve(state.path ?? `terraform.${environment.name}.tfstate`);
      new LocalBackend(this, {
        path: relative(join(resolve(outDir), "stacks", environment.name), statePath),
      });
      return;
    }
    const backend = new S3Backend(this, {
      bucket: state.bucket!,
      key: `${state.key_prefix}/${environment.name}.tfstate`,
      region: state.region ?? aws.region,
      // With `encrypt` but no key, Terraform asks S3 for SSE-S3 on every write and so bypasses the
      // bucket's default key, which the bootstrap makes for the state (and its bucket policy refuses
      // such writes). Without a key of its own, the state takes the bucket's default.
      encrypt: state.kms_key_arn ? true : undefined,
      kmsKeyId: state.kms_key_arn,
    });
    // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates it.
    backend.addOverride("use_lockfile", true);
  }
}

/** The event contract's bounds, which the ingest function and the pipeline both enforce. */
function contractBounds(config: EnvironmentConfig) {
  return {
    magnitudeMax: config.contract.magnitude_max,
    maxAgeSeconds: config.contract.max_age_minutes * 60,
    maxAheadSeconds: config.contract.max_ahead_minutes * 60,
  };
}
