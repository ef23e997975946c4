/**
 * Every cloud resource name, derived in one place from project + environment (+ component) and checked
 * against the rules of the service that owns it. An error names the YAML field to change.
 */
import type { EnvironmentConfig } from "./schema";

export interface ResourceNames {
  readonly stream: string;
  readonly siteBucket: string;
  readonly lakeBucket: string;
  readonly identityPool: string;
  readonly guestRole: string;
  /** The managed policy that caps every role of the environment (created by the CI bootstrap). */
  readonly permissionsBoundary: string;
  /** The managed policy that caps the browser's guest role: put records into the stream, nothing else. */
  readonly guestBoundary: string;
  /** The SNS topic alarms notify. */
  readonly alarmTopic: string;
  /** Prefix of the environment's CloudWatch alarm names. */
  readonly alarmPrefix: string;
  /** The HTTP API's access log group. */
  readonly ingestAccessLogGroup: string;
  readonly ingestFunction: string;
  readonly ingestRole: string;
  readonly ingestApi: string;
  readonly kinesisReaderRole: string;
  readonly lakeAccessRole: string;
  readonly computeRole: string;
  readonly catalog: string;
  readonly schema: string;
  /** Where the pipeline quarantines records that break the event contract. */
  readonly quarantineSchema: string;
  readonly serviceCredential: string;
  readonly storageCredential: string;
  readonly externalLocation: string;
  readonly pipeline: string;
  readonly warehouse: string;
  readonly share: string;
  readonly workspaceDir: string;
  readonly job: (key: string) => string;
}

export interface NamingIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The issue is about the key at the end of the path (a job's name), not its value. */
  readonly atKey?: boolean;
}

interface Rule {
  readonly what: string;
  readonly check: (name: string) => string | undefined;
}

const S3_BUCKET: Rule = {
  what: "S3 bucket",
  check: (n) => {
    if (n.length < 3 || n.length > 63) return `is ${n.length} characters; S3 allows 3-63`;
    if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(n))
      return "may hold only lowercase letters, digits and hyphens, starting and ending with a letter or digit";
    if (n.includes("--") || n.startsWith("xn--") || n.endsWith("-s3alias"))
      return "uses a prefix or suffix S3 reserves";
    return undefined;
  },
};
const KINESIS_STREAM: Rule = {
  what: "Kinesis stream",
  check: (n) => (/^[a-zA-Z0-9_.-]{1,128}$/.test(n) ? undefined : "must be 1-128 of a-z A-Z 0-9 _ . -"),
};
const IAM_ROLE: Rule = {
  what: "IAM role",
  check: (n) =>
    /^[\w+=,.@-]{1,64}$/.test(n) ? undefined : `is ${n.length} characters; IAM allows at most 64`,
};
const LAMBDA_FUNCTION: Rule = {
  what: "Lambda function",
  check: (n) =>
    /^[a-zA-Z0-9_-]{1,64}$/.test(n) ? undefined : `is ${n.length} characters; Lambda allows at most 64`,
};
const COGNITO_POOL: Rule = {
  what: "Cognito identity pool",
  check: (n) => (/^[\w\s+=,.@-]{1,128}$/.test(n) ? undefined : "must be 1-128 of letters, digits and +=,.@-"),
};
const UNITY_CATALOG: Rule = {
  what: "Unity Catalog",
  check: (n) =>
    /^[a-z_][a-z0-9_]{0,254}$/.test(n) ? undefined : "must be lowercase letters, digits and _ (at most 255)",
};
const DATABRICKS_NAME: Rule = {
  what: "Databricks",
  check: (n) => (n.length <= 100 ? undefined : `is ${n.length} characters; keep it under 100`),
};

/** Derives and checks all names; issues point at the YAML field that decides each name. */
export function deriveNames(
  environment: string,
  config: EnvironmentConfig,
): { names: ResourceNames; issues: NamingIssue[] } {
  const prefix = `${config.project}-${environment}`;
  const ucPrefix = prefix.replace(/-/g, "_");
  const account = config.aws.account_id;
  const issues: NamingIssue[] = [];

  /** Names come from an override field when set, else from the project name. */
  const name = (rule: Rule, value: string, override?: readonly PropertyKey[], atKey = false): string => {
    const problem = rule.check(value);
    if (problem) {
      const fix = override
        ? `change ${override.join(".")}`
        : "shorten project (or the environment file's name)";
      issues.push({
        path: override ?? ["project"],
        message: `${rule.what} name '${value}' ${problem}: ${fix}`,
        atKey: Boolean(override) && atKey,
      });
    }
    return value;
  };
  const overridden = (value: unknown, path: PropertyKey[]) => (value === undefined ? undefined : path);

  const names: ResourceNames = {
    stream: name(
      KINESIS_STREAM,
      config.stream.name ?? `${prefix}-events`,
      overridden(config.stream.name, ["stream", "name"]),
    ),
    siteBucket: name(
      S3_BUCKET,
      config.browser_ingest.site_bucket ?? `${prefix}-site-${account}`,
      overridden(config.browser_ingest.site_bucket, ["browser_ingest", "site_bucket"]),
    ),
    lakeBucket: name(
      S3_BUCKET,
      config.lake.bucket ?? `${prefix}-lake-${account}`,
      overridden(config.lake.bucket, ["lake", "bucket"]),
    ),
    identityPool: name(COGNITO_POOL, `${prefix}-browser`),
    guestRole: name(IAM_ROLE, `${prefix}-browser-guest`),
    permissionsBoundary: `${prefix}-boundary`,
    guestBoundary: `${prefix}-guest-boundary`,
    alarmTopic: `${prefix}-alarms`,
    alarmPrefix: `${prefix}-`,
    ingestAccessLogGroup: `/aws/apigateway/${prefix}-ingest`,
    ingestFunction: name(LAMBDA_FUNCTION, `${prefix}-ingest`),
    ingestRole: name(IAM_ROLE, `${prefix}-ingest-lambda`),
    ingestApi: `${prefix}-ingest`,
    kinesisReaderRole: name(IAM_ROLE, `${prefix}-dbx-kinesis-reader`),
    lakeAccessRole: name(IAM_ROLE, `${prefix}-dbx-lake-access`),
    computeRole: name(IAM_ROLE, `${prefix}-dbx-compute`),
    catalog: name(
      UNITY_CATALOG,
      config.unity_catalog.catalog ?? ucPrefix,
      overridden(config.unity_catalog.catalog, ["unity_catalog", "catalog"]),
    ),
    schema: config.unity_catalog.schema,
    quarantineSchema: name(UNITY_CATALOG, `${config.unity_catalog.schema}_quarantine`, [
      "unity_catalog",
      "schema",
    ]),
    serviceCredential: name(UNITY_CATALOG, `${ucPrefix}_kinesis`),
    storageCredential: name(UNITY_CATALOG, `${ucPrefix}_lake`),
    externalLocation: name(UNITY_CATALOG, `${ucPrefix}_lake`),
    pipeline: name(DATABRICKS_NAME, `${prefix}-events`),
    warehouse: name(DATABRICKS_NAME, `${prefix}-warehouse`),
    share: name(
      UNITY_CATALOG,
      config.sharing.share ?? ucPrefix,
      overridden(config.sharing.share, ["sharing", "share"]),
    ),
    workspaceDir: `/Shared/lakestack/${prefix}`,
    job: (key) => `${prefix}-${key}`,
  };
  for (const key of Object.keys(config.jobs)) {
    name({ ...DATABRICKS_NAME, what: "Job" }, names.job(key), ["jobs", key], true);
  }
  return { names, issues };
}
