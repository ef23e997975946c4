import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatabricksProvider } from "@cdktf/provider-databricks/lib/provider";
import { LocalBackend, S3Backend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct, Node } from "constructs";
import { join, relative, resolve } from "node:path";
import type { Environment } from "../config/load";
import { BrowserIngest, type SiteFile } from "../modules/aws/browser-ingest";
import { DataLake } from "../modules/aws/data-lake";
import { EventStream } from "../modules/aws/event-stream";
import { HttpIngest, type LambdaCode } from "../modules/aws/http-ingest";
import { assertUniqueAddresses, readableLogicalId } from "./addresses";

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
    this.configureBackend(environment, options.outDir);

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
          identityPoolName: names.identityPool,
          guestRoleName: names.guestRole,
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
          reservedConcurrency: config.http_ingest.reserved_concurrency,
        })
      : undefined;
    browser?.publishPageConfig(http?.ingestUrl);

    new TerraformOutput(this, "region", { value: config.aws.region });
    new TerraformOutput(this, "streamName", { value: stream.name });
    new TerraformOutput(this, "streamArn", { value: stream.arn });
    new TerraformOutput(this, "lakeBucket", { value: lake.bucket.bucket });
    if (browser) {
      new TerraformOutput(this, "siteUrl", { value: browser.siteUrl });
      new TerraformOutput(this, "identityPoolId", { value: browser.identityPool.id });
    }
    if (http) new TerraformOutput(this, "ingestUrl", { value: http.ingestUrl });

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
      encrypt: true,
      kmsKeyId: state.kms_key_arn,
    });
    // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates it.
    backend.addOverride("use_lockfile", true);
  }
}
