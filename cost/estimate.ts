/**
 * One environment's monthly estimate: its synthesized Terraform read resource by resource (what would
 * deploy is what is priced), usage from stream.capacity and the `cost:` section, prices from the price
 * book. Every line names the assumptions it rests on; a line without a usage or a price says why instead
 * of showing a number.
 */
import { jobKeysOf, recipientNamesOf } from "../loader/schema";
import type { Environment } from "../loader/load";
import { parseQuartz, runsPerMonth } from "../loader/quartz";
import { LAKE_BUCKET_ADDRESS, SITE_BUCKET_ADDRESS } from "../policy/against";
import {
  block,
  blocks,
  ResourceIndex,
  strings,
  type SynthesizedResource,
  type TerraformDocument,
} from "../policy/resources";
import * as model from "./model";
import type { Price, PriceBook, PriceKey, PriceSource } from "./prices";

export type Provider = "AWS" | "Databricks";

export interface CostLine {
  /** Terraform address of the resource the charge belongs to. */
  readonly address: string;
  /** What is charged; a trailing "(…)" gives details that may change without it being another charge. */
  readonly component: string;
  readonly provider: Provider;
  /** Monthly quantity in `unit`, or null when the usage is unknown. */
  readonly quantity: number | null;
  readonly unit: string;
  /** USD per `unit` after discounts and negotiated rates, or null when unknown. */
  readonly unitPrice: number | null;
  /** USD a month, or null when the quantity or the price is unknown. */
  readonly monthly: number | null;
  /** Why `monthly` is missing: the usage ("depends on usage") or the price ("unknown price"). */
  readonly unknown?: { readonly kind: "usage" | "price"; readonly reason: string };
  /** Ids of the assumptions the line rests on: the config fields that set them. */
  readonly assumptions: readonly string[];
  /** Where the unit price comes from: a price source id, or the config field of a negotiated rate. */
  readonly priceFrom?: string;
}

export interface Assumption {
  /** The config field that sets it, e.g. `cost.warehouse.active_hours_per_day`. */
  readonly id: string;
  readonly text: string;
}

export interface Totals {
  readonly aws: number;
  readonly databricks: number;
  readonly total: number;
  /** Lines whose cost is unknown, left out of the sums above. */
  readonly unknownLines: number;
}

export interface Estimate {
  readonly env: string;
  readonly region: string;
  readonly lines: readonly CostLine[];
  readonly assumptions: readonly Assumption[];
  readonly totals: Totals;
  /** Resources that carry no charge of their own (IAM, grants, notebooks, …). */
  readonly noCharge: readonly string[];
  /** The price sources the lines use. */
  readonly sources: readonly PriceSource[];
}

export interface EstimateOptions {
  /** Bytes of the page's built files, when known. */
  readonly siteBytes?: number;
}

/** Resource types that cost nothing by themselves (their effect is priced where it lands). */
const NO_CHARGE = new Set([
  "aws_apigatewayv2_deployment",
  "aws_apigatewayv2_integration",
  "aws_apigatewayv2_route",
  "aws_apigatewayv2_stage",
  "aws_cloudwatch_log_resource_policy",
  "aws_cognito_identity_pool",
  "aws_cognito_identity_pool_roles_attachment",
  "aws_iam_instance_profile",
  "aws_iam_policy",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_lambda_permission",
  "aws_s3_bucket_cors_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_website_configuration",
  "aws_s3_object",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "databricks_catalog",
  "databricks_credential",
  "databricks_external_location",
  "databricks_grant",
  "databricks_grants",
  "databricks_instance_profile",
  "databricks_notebook",
  "databricks_notification_destination",
  "databricks_permissions",
  "databricks_schema",
  "databricks_share",
  "databricks_storage_credential",
  "time_sleep",
]);

const CUSTOMER_KEY = /^arn:aws[\w-]*:kms:[^:]+:\d{12}:key\//;

/** The Terraform address of a job's `databricks_job` resource (construct ids: `job_<key>` / `job`). */
const jobAddress = (key: string) => `databricks_job.job_${key}_job`;

/** Builds an environment's estimate from its synthesized Terraform. */
export function estimate(
  environment: Environment,
  terraform: TerraformDocument,
  prices: PriceBook,
  options: EstimateOptions = {},
): Estimate {
  const lines = new LineBook(environment, prices);
  const index = ResourceIndex.fromTerraform(terraform);
  const noCharge: string[] = [];
  const usage = usageOf(lines);

  const handlers: Record<string, (r: SynthesizedResource) => void> = {
    aws_kinesis_stream: (r) => kinesis(r, usage, lines),
    aws_lambda_function: (r) => lambdaFunction(r, index, usage, lines),
    aws_apigatewayv2_api: (r) => httpApi(r, usage, lines),
    aws_cloudwatch_log_group: (r) => logGroup(r, index, usage, lines),
    databricks_alert_v2: (r) => sqlAlert(r, index, lines),
    aws_cloudwatch_metric_alarm: (r) => alarm(r, lines),
    aws_sns_topic: (r) =>
      lines.usage(
        r,
        "notifications",
        "sns_requests_million",
        "alarm notifications are few and unpredictable; the first million requests a month are free",
      ),
    aws_s3_bucket: (r) => bucket(r, index, usage, lines, options),
    aws_cloudfront_distribution: (r) => cloudFront(r, index, lines, options),
    aws_kms_key: (r) => lines.add(r, "customer key", 1, "kms_key_month"),
    databricks_sql_endpoint: (r) => sqlWarehouse(r, lines),
    databricks_pipeline: (r) => eventsPipeline(r, index, lines),
    databricks_job: (r) => workflowJob(r, lines),
    databricks_recipient: (r) => (recipient(r, lines) ? undefined : noCharge.push(r.address)),
  };
  for (const resource of index.all) {
    const handler = handlers[resource.type];
    if (handler) handler(resource);
    else if (NO_CHARGE.has(resource.type)) noCharge.push(resource.address);
    else {
      lines.line({
        address: resource.address,
        component: "not priced",
        provider: resource.type.startsWith("databricks_") ? "Databricks" : "AWS",
        quantity: null,
        unit: "",
        price: null,
        assumptions: [],
        missing: `lakestack has no cost model for ${resource.type}`,
      });
    }
  }
  customerKeys(index, lines);
  return {
    env: environment.name,
    region: environment.config.aws.region,
    lines: lines.lines,
    assumptions: lines.assumptionList(),
    totals: totalsOf(lines.lines),
    noCharge,
    sources: lines.sourceList(),
  };
}

function totalsOf(lines: readonly CostLine[]): Totals {
  const sum = (provider: Provider) =>
    lines.filter((l) => l.provider === provider).reduce((total, l) => total + (l.monthly ?? 0), 0);
  const aws = sum("AWS");
  const databricks = sum("Databricks");
  return {
    aws,
    databricks,
    total: aws + databricks,
    unknownLines: lines.filter((l) => l.monthly === null).length,
  };
}

// ---------------------------------------------------------------------------------------------------
// Lines and the assumptions they rest on

interface LineSpec {
  readonly address: string;
  readonly component: string;
  readonly provider: Provider;
  /** The quantity, or null with `missing` saying why. */
  readonly quantity: number | null;
  readonly unit: string;
  /** The price, or null when the line has no price (a resource without a cost model). */
  readonly price: Price | null;
  readonly assumptions: readonly string[];
  readonly missing?: string;
  /** A negotiated rate and the config field that sets it, replacing the list price. */
  readonly negotiated?: { readonly usd: number; readonly field: string };
}

const DBU_PRICE_FIELDS: Partial<Record<PriceKey, "sql" | "pipelines" | "jobs">> = {
  databricks_serverless_sql_dbu: "sql",
  databricks_serverless_pipelines_dbu: "pipelines",
  databricks_serverless_jobs_dbu: "jobs",
};

class LineBook {
  readonly lines: CostLine[] = [];
  private readonly assumptions = new Map<string, string>();
  private readonly sources = new Map<string, PriceSource>();

  constructor(
    readonly environment: Environment,
    readonly prices: PriceBook,
  ) {}

  /** Records an assumption (by the config field that sets it) and returns its id. */
  assume(id: string, text: string): string {
    this.assumptions.set(id, text);
    return id;
  }

  assumptionList(): Assumption[] {
    return [...this.assumptions].map(([id, text]) => ({ id, text }));
  }

  sourceList(): PriceSource[] {
    return [...this.sources.values()];
  }

  private price(key: PriceKey): Price {
    return this.prices.price(key, this.environment.config.aws.region);
  }

  /** A line priced with a key of the price book; `quantity` may carry why it is unknown. */
  add(
    resource: SynthesizedResource,
    component: string,
    quantity: number | { missing: string },
    key: PriceKey,
    assumptions: readonly string[] = [],
  ): void {
    const field = DBU_PRICE_FIELDS[key];
    const negotiatedUsd = field ? this.environment.config.cost.databricks.dbu_price[field] : undefined;
    const price = this.price(key);
    this.line({
      address: resource.address,
      component,
      provider: key.startsWith("databricks_") ? "Databricks" : "AWS",
      quantity: typeof quantity === "number" ? quantity : null,
      missing: typeof quantity === "number" ? undefined : quantity.missing,
      unit: price.unit,
      price,
      assumptions,
      negotiated:
        negotiatedUsd !== undefined
          ? { usd: negotiatedUsd, field: `cost.databricks.dbu_price.${field}` }
          : undefined,
    });
  }

  /** A line whose usage lakestack cannot know: "depends on usage", with the price still shown. */
  usage(resource: SynthesizedResource, component: string, key: PriceKey, why: string): void {
    this.add(resource, component, { missing: why }, key);
  }

  line(spec: LineSpec): void {
    const discount = this.environment.config.cost.aws.discount;
    const assumptions = [...spec.assumptions];
    let unitPrice: number | null = null;
    let priceFrom: string | undefined;
    let priceMissing: string | undefined;
    if (spec.negotiated) {
      unitPrice = spec.negotiated.usd;
      priceFrom = spec.negotiated.field;
      assumptions.push(this.assume(spec.negotiated.field, `negotiated rate $${spec.negotiated.usd} per DBU`));
    } else if (spec.price?.known) {
      unitPrice = spec.price.usd;
      priceFrom = spec.price.source.id;
      this.sources.set(spec.price.source.id, spec.price.source);
      if (spec.provider === "AWS" && discount > 0) {
        unitPrice *= 1 - discount;
        assumptions.push(this.assume("cost.aws.discount", `${discount * 100} % off AWS list prices`));
      }
    } else if (spec.price) {
      priceMissing = spec.price.reason;
    }
    const known = spec.quantity !== null && unitPrice !== null;
    this.lines.push({
      address: spec.address,
      component: spec.component,
      provider: spec.provider,
      quantity: spec.quantity,
      unit: spec.unit,
      unitPrice,
      monthly: known ? spec.quantity! * unitPrice! : null,
      unknown:
        spec.quantity === null
          ? { kind: "usage", reason: spec.missing ?? "unknown usage" }
          : unitPrice === null
            ? {
                kind: "price",
                reason: `${this.environment.config.aws.region}: ${priceMissing ?? "no price"}`,
              }
            : undefined,
      assumptions: [...new Set(assumptions)],
      priceFrom,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Usage: the load, from stream.capacity and the `cost:` section

interface Usage {
  /** The stream's average load, or why it is unknown. */
  readonly load: { value: model.StreamLoad; assumptions: string[] } | { missing: string };
  /** HTTP requests a month, or why unknown. */
  readonly http: { requests: number; requestBytes: number; assumptions: string[] } | { missing: string };
}

function usageOf(lines: LineBook): Usage {
  const { stream, cost, browser_ingest } = lines.environment.config;
  if (!stream.capacity) {
    const missing = "stream.capacity is not set, so the load is unknown";
    return { load: { missing }, http: { missing } };
  }
  const { peak_events_per_second: peak, average_event_bytes: bytes } = stream.capacity;
  const average = cost.average_events_per_second ?? peak * cost.average_to_peak;
  const loadAssumptions = [
    lines.assume("stream.capacity", `peak ${peak} events/s of ${bytes} bytes`),
    cost.average_events_per_second !== undefined
      ? lines.assume("cost.average_events_per_second", `average ${average} events/s all month`)
      : lines.assume(
          "cost.average_to_peak",
          `average ${cost.average_to_peak} × peak = ${round(average)} events/s all month`,
        ),
  ];
  const load = { eventsPerSecond: average, eventBytes: bytes };
  const share = cost.http.share ?? (browser_ingest.enabled ? 0 : 1);
  const httpAssumptions = [
    ...loadAssumptions,
    lines.assume(
      "cost.http.share",
      cost.http.share !== undefined
        ? `${share * 100} % of events arrive over HTTP`
        : `${share * 100} % of events arrive over HTTP (${browser_ingest.enabled ? "the page writes to Kinesis itself" : "there is no page"})`,
    ),
    lines.assume("cost.http.events_per_request", `${cost.http.events_per_request} event(s) per HTTP request`),
  ];
  return {
    load: { value: load, assumptions: loadAssumptions },
    http: {
      requests: model.httpRequests(load, share, cost.http.events_per_request),
      requestBytes: cost.http.events_per_request * bytes,
      assumptions: httpAssumptions,
    },
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------
// AWS

function kinesis(r: SynthesizedResource, usage: Usage, lines: LineBook): void {
  const provisioned = block(r.config.stream_mode_details)?.stream_mode === "PROVISIONED";
  const shards = Number(r.config.shard_count ?? 1);
  const retention = Number(r.config.retention_period ?? 24);
  const metrics = Array.isArray(r.config.shard_level_metrics) ? r.config.shard_level_metrics.length : 0;
  const { load } = usage;
  const known = "missing" in load ? undefined : load;
  const assumptions = known?.assumptions ?? [];
  /** A quantity that depends on the load, or why the load is unknown. */
  const byLoad = (quantity: (value: model.StreamLoad) => number) =>
    known ? quantity(known.value) : { missing: (load as { missing: string }).missing };
  const add = (
    component: string,
    quantity: number | { missing: string },
    key: PriceKey,
    rest = assumptions,
  ) => lines.add(r, component, quantity, key, typeof quantity === "number" ? rest : []);
  if (provisioned) {
    const q = (value: model.StreamLoad) => model.kinesisProvisioned(shards, value, retention);
    // Shard-hours do not depend on the load.
    const fixed = q({ eventsPerSecond: 0, eventBytes: 0 });
    add(
      `shard-hours (${shards} shard${shards === 1 ? "" : "s"})`,
      fixed.shardHours,
      "kinesis_shard_hour",
      [],
    );
    add(
      "PUT payload units (25 KB each)",
      byLoad((v) => q(v).putPayloadUnitsMillion),
      "kinesis_put_payload_units_million",
    );
    if (retention > 24) {
      add(
        "extended retention (up to 7 days)",
        fixed.extendedRetentionShardHours,
        "kinesis_extended_retention_shard_hour",
        [],
      );
    }
  } else {
    const q = (value: model.StreamLoad) => model.kinesisOnDemand(value, retention);
    add("on-demand stream-hours", model.HOURS_PER_MONTH, "kinesis_on_demand_stream_hour", []);
    add(
      "data in (records rounded up to 1 KB)",
      byLoad((v) => q(v).ingestGb),
      "kinesis_on_demand_ingest_gb",
    );
    add(
      "data out to the pipeline (one consumer)",
      byLoad((v) => q(v).retrievalGb),
      "kinesis_on_demand_retrieval_gb",
    );
    if (retention > 24) {
      add(
        `extended retention (${Math.min(retention, 168)} h)`,
        byLoad((v) => q(v).extendedRetentionGbMonths),
        "kinesis_on_demand_extended_retention_gb_month",
      );
    }
  }
  if (retention > 168) {
    // Beyond 7 days both modes bill the GB held, alike.
    add(
      `long-term retention (${retention} h)`,
      byLoad((v) => model.kinesisOnDemand(v, retention).longTermRetentionGbMonths),
      "kinesis_long_term_retention_gb_month",
    );
  }
  if (metrics > 0) {
    add(
      `shard-level metrics (${metrics})`,
      provisioned
        ? model.shardMetrics(shards, metrics).metricMonths
        : { missing: "an on-demand stream's shard count is AWS's to choose" },
      "cloudwatch_metric_month",
      [],
    );
  }
}

/** The functions an HTTP API integration invokes: they take the HTTP share of the load. */
function httpTargets(index: ResourceIndex): Set<string> {
  return new Set(
    index
      .ofType("aws_apigatewayv2_integration")
      .map((i) => index.referenced(i.config.integration_uri)?.address)
      .filter((a): a is string => a !== undefined),
  );
}

function lambdaFunction(r: SynthesizedResource, index: ResourceIndex, usage: Usage, lines: LineBook): void {
  const http = usage.http;
  const architecture =
    Array.isArray(r.config.architectures) && r.config.architectures[0] === "arm64" ? "arm64" : "x86_64";
  const memory = Number(r.config.memory_size ?? 128);
  const gbKey: PriceKey = architecture === "arm64" ? "lambda_gb_second_arm64" : "lambda_gb_second_x86_64";
  if (!httpTargets(index).has(r.address)) {
    lines.usage(r, "requests", "lambda_requests_million", "nothing lakestack knows invokes this function");
    lines.usage(
      r,
      `compute (${architecture}, ${memory} MB)`,
      gbKey,
      "nothing lakestack knows invokes this function",
    );
    return;
  }
  if ("missing" in http) {
    lines.add(r, "requests", http, "lambda_requests_million");
    lines.add(r, `compute (${architecture}, ${memory} MB)`, http, gbKey);
    return;
  }
  const { cost } = lines.environment.config;
  const q = model.lambdaFunction(http.requests, memory, cost.http.function_ms);
  lines.add(r, "requests", q.requestsMillion, "lambda_requests_million", http.assumptions);
  lines.add(r, `compute (${architecture}, ${memory} MB)`, q.gbSeconds, gbKey, [
    ...http.assumptions,
    lines.assume("cost.http.function_ms", `${cost.http.function_ms} ms per invocation`),
  ]);
}

function httpApi(r: SynthesizedResource, usage: Usage, lines: LineBook): void {
  if (r.config.protocol_type !== "HTTP") {
    lines.usage(
      r,
      `${String(r.config.protocol_type)} API messages`,
      "apigateway_http_requests_million",
      "lakestack prices HTTP APIs only",
    );
    return;
  }
  const http = usage.http;
  if ("missing" in http)
    return lines.add(r, "requests (512 KB units)", http, "apigateway_http_requests_million");
  lines.add(
    r,
    "requests (512 KB units)",
    model.httpApi(http.requests, http.requestBytes).requestsMillion,
    "apigateway_http_requests_million",
    http.assumptions,
  );
}

/** Bytes a log group receives per HTTP request: the ingest function's logs, or the API's access log. */
function logBytesPerRequest(r: SynthesizedResource, index: ResourceIndex, lines: LineBook) {
  const { http } = lines.environment.config.cost;
  const targets = httpTargets(index);
  const fromFunction = index
    .ofType("aws_lambda_function")
    .some((f) => index.referenced(block(f.config.logging_config)?.log_group) === r && targets.has(f.address));
  if (fromFunction) {
    const id = lines.assume(
      "cost.http.function_log_bytes",
      `${http.function_log_bytes} log bytes per invocation`,
    );
    return { bytes: http.function_log_bytes, assumption: id };
  }
  const fromStage = index
    .ofType("aws_apigatewayv2_stage")
    .some((stage) => index.referenced(block(stage.config.access_log_settings)?.destination_arn) === r);
  if (fromStage) {
    const id = lines.assume(
      "cost.http.access_log_bytes",
      `${http.access_log_bytes} bytes of access log per request`,
    );
    return { bytes: http.access_log_bytes, assumption: id };
  }
  return undefined;
}

function logGroup(r: SynthesizedResource, index: ResourceIndex, usage: Usage, lines: LineBook): void {
  const retention = Number(r.config.retention_in_days ?? 0);
  const http = usage.http;
  const writer = logBytesPerRequest(r, index, lines);
  if (!writer) {
    lines.usage(r, "log ingestion", "logs_ingest_gb", "lakestack knows no writer of this log group");
    lines.usage(r, "log storage", "logs_storage_gb_month", "lakestack knows no writer of this log group");
    return;
  }
  if ("missing" in http) {
    lines.add(r, "log ingestion", http, "logs_ingest_gb");
    lines.add(r, "log storage", http, "logs_storage_gb_month");
    return;
  }
  const q = model.logGroup(http.requests * writer.bytes, retention);
  const assumptions = [...http.assumptions, writer.assumption];
  lines.add(r, "log ingestion", q.ingestGb, "logs_ingest_gb", assumptions);
  lines.add(
    r,
    `log storage (${retention} days kept)`,
    retention > 0
      ? q.storageGbMonths
      : { missing: "the log group never expires its logs, so storage grows without bound" },
    "logs_storage_gb_month",
    assumptions,
  );
}

function bucket(
  r: SynthesizedResource,
  index: ResourceIndex,
  usage: Usage,
  lines: LineBook,
  options: EstimateOptions,
): void {
  if (r.address === SITE_BUCKET_ADDRESS) {
    const bytes = options.siteBytes;
    lines.add(
      r,
      "page files stored",
      bytes !== undefined
        ? model.site(0, 0, bytes).storageGbMonths
        : { missing: "the page's built size is unknown" },
      "s3_standard_gb_month",
    );
    return;
  }
  if (r.address !== LAKE_BUCKET_ADDRESS) {
    lines.usage(r, "storage", "s3_standard_gb_month", "lakestack has no usage model for this bucket");
    return;
  }
  const { cost } = lines.environment.config;
  const rules = index
    .attachedTo(r, "aws_s3_bucket_lifecycle_configuration", "bucket")
    .flatMap((l) => blocks(l.config.rule));
  const noncurrentDays = rules
    .map((rule) => Number(block(rule.noncurrent_version_expiration)?.noncurrent_days))
    .find((days) => Number.isFinite(days));
  const load = usage.load;
  if ("missing" in load) {
    lines.add(r, "storage (current versions)", load, "s3_standard_gb_month");
    lines.add(r, "storage (noncurrent versions)", load, "s3_standard_gb_month");
  } else {
    const q = model.lake(load.value, {
      monthsKept: cost.lake.months_kept,
      storedBytesPerEventByte: cost.lake.stored_bytes_per_event_byte,
      rewrittenShare: cost.lake.rewritten_share,
      noncurrentDays: noncurrentDays ?? 0,
    });
    const kept = [
      ...load.assumptions,
      lines.assume("cost.lake.months_kept", `the lake holds ${cost.lake.months_kept} months of events`),
      lines.assume(
        "cost.lake.stored_bytes_per_event_byte",
        `${cost.lake.stored_bytes_per_event_byte} byte(s) stored per event byte`,
      ),
    ];
    lines.add(r, "storage (current versions)", q.currentGbMonths, "s3_standard_gb_month", kept);
    lines.add(
      r,
      `storage (noncurrent versions, ${noncurrentDays ?? 0} days kept)`,
      q.noncurrentGbMonths,
      "s3_standard_gb_month",
      [
        ...kept,
        lines.assume("cost.lake.rewritten_share", `${cost.lake.rewritten_share} × a month's data rewritten`),
      ],
    );
  }
  const requests = (
    field: "put_requests_per_month" | "get_requests_per_month",
    key: PriceKey,
    what: string,
  ) => {
    const count = cost.lake[field];
    lines.add(
      r,
      what,
      count !== undefined
        ? count / 1000
        : { missing: `set cost.lake.${field}: the pipeline's file writes and reads depend on its updates` },
      key,
      count !== undefined ? [lines.assume(`cost.lake.${field}`, `${count} requests a month`)] : [],
    );
  };
  requests("put_requests_per_month", "s3_put_requests_thousand", "PUT/COPY/POST/LIST requests");
  requests("get_requests_per_month", "s3_get_requests_thousand", "GET requests");
}

function cloudFront(
  r: SynthesizedResource,
  index: ResourceIndex,
  lines: LineBook,
  options: EstimateOptions,
): void {
  const site = index.get(SITE_BUCKET_ADDRESS);
  const files = site ? index.attachedTo(site, "aws_s3_object", "bucket").length : 0;
  const views = lines.environment.config.cost.site.page_views_per_month;
  const viewed = lines.assume(
    "cost.site.page_views_per_month",
    `${views} page views a month, each fetching all ${files} files`,
  );
  const q = model.site(views, files, options.siteBytes ?? 0);
  lines.add(r, "HTTPS requests", q.requests10k, "cloudfront_https_requests_10k", [viewed]);
  lines.add(
    r,
    "data out to viewers",
    options.siteBytes !== undefined ? q.transferGb : { missing: "the page's built size is unknown" },
    "cloudfront_transfer_out_gb",
    [viewed],
  );
}

/** An alarm bills per metric it watches: one, or each metric a metric-math alarm queries. */
function alarm(r: SynthesizedResource, lines: LineBook): void {
  const queried = blocks(r.config.metric_query).filter((q) => block(q.metric)).length;
  const metrics = Math.max(1, queried);
  lines.add(r, `alarm (${metrics} metric${metrics === 1 ? "" : "s"})`, metrics, "cloudwatch_alarm_month", [
    lines.assume("alarms", "standard resolution, billed per metric an alarm watches"),
  ]);
}

/** Customer KMS keys named by ARN in any resource: a key-month each, and requests that depend on usage. */
function customerKeys(index: ResourceIndex, lines: LineBook): void {
  const seen = new Map<string, SynthesizedResource>();
  for (const resource of index.all) {
    for (const { text } of strings(resource.config)) {
      if (CUSTOMER_KEY.test(text) && !seen.has(text)) seen.set(text, resource);
    }
  }
  for (const [arn, resource] of seen) {
    const key = arn.slice(arn.lastIndexOf("/") + 1);
    lines.add(resource, `customer key ${key}`, 1, "kms_key_month", [
      lines.assume("kms", "each customer key named in the config is billed in full to this environment"),
    ]);
    lines.usage(
      resource,
      `key requests ${key}`,
      "kms_requests_10k",
      "encrypt and decrypt calls depend on how services cache data keys",
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Databricks

function sqlWarehouse(r: SynthesizedResource, lines: LineBook): void {
  const { environment } = lines;
  const size = String(r.config.cluster_size);
  const { warehouse } = environment.config.cost;
  const clusters = warehouse.clusters ?? Number(r.config.min_num_clusters ?? 1);
  const autoStop = Number(r.config.auto_stop_mins ?? 0);
  const rate = lines.prices.warehouseDbuPerHour(size);
  const component = `serverless SQL (${size}, ${clusters} cluster${clusters === 1 ? "" : "s"})`;
  const assumptions = [
    lines.assume(
      "cost.warehouse.active_hours_per_day",
      `${warehouse.active_hours_per_day} active hours a day, ${round(model.DAYS_PER_MONTH)} days a month`,
    ),
    lines.assume(
      "cost.warehouse.sessions_per_day",
      `${warehouse.sessions_per_day} sessions a day, each ending with ${autoStop} idle minutes (auto-stop)`,
    ),
    lines.assume("cost.warehouse.clusters", `${clusters} cluster(s) running on average`),
  ];
  if (r.config.enable_serverless_compute !== true) {
    lines.usage(
      r,
      component,
      "databricks_serverless_sql_dbu",
      "a classic or pro warehouse bills its EC2 instances separately",
    );
    return;
  }
  lines.add(
    r,
    component,
    rate.known
      ? model.warehouse({
          dbuPerHour: rate.dbu,
          clusters,
          activeHoursPerDay: warehouse.active_hours_per_day,
          sessionsPerDay: warehouse.sessions_per_day,
          autoStopMinutes: autoStop,
        }).dbu
      : { missing: `DBUs per hour of ${size}: ${rate.reason}` },
    "databricks_serverless_sql_dbu",
    [
      ...assumptions,
      ...(rate.known
        ? [lines.assume(`size ${size}`, `${size} runs ${rate.dbu} DBUs per hour and cluster`)]
        : []),
    ],
  );
}

/**
 * A scheduled SQL alert wakes its warehouse on every run: the query's minutes plus the auto-stop idle
 * tail, up to the whole month when runs come faster than the warehouse stops.
 */
function sqlAlert(r: SynthesizedResource, index: ResourceIndex, lines: LineBook): void {
  const { environment } = lines;
  const warehouse = index.referenced(r.config.warehouse_id);
  if (!warehouse || warehouse.type !== "databricks_sql_endpoint") {
    lines.usage(
      r,
      "warehouse time",
      "databricks_serverless_sql_dbu",
      "the alert's warehouse is not in this stack",
    );
    return;
  }
  const size = String(warehouse.config.cluster_size);
  const autoStop = Number(warehouse.config.auto_stop_mins ?? 0);
  const clusters = Number(warehouse.config.min_num_clusters ?? 1);
  const runMinutes = environment.config.cost.warehouse.alert_run_minutes;
  const rate = lines.prices.warehouseDbuPerHour(size);
  const { runs, why } = scheduledRuns(r);
  const hours =
    runs === undefined ? undefined : Math.min(model.HOURS_PER_MONTH, (runs * (runMinutes + autoStop)) / 60);
  const assumptions = [
    lines.assume(`${r.address} schedule`, `${runs === undefined ? "?" : round(runs)} runs a month (${why})`),
    lines.assume(
      "cost.warehouse.alert_run_minutes",
      `${runMinutes} minute(s) per alert query, then the warehouse's ${autoStop} idle minutes; counted apart from its active hours`,
    ),
  ];
  lines.add(
    r,
    `warehouse kept running (${hours === undefined ? "?" : round(hours)} h)`,
    hours === undefined
      ? { missing: why }
      : rate.known
        ? hours * rate.dbu * clusters
        : { missing: `DBUs per hour of ${size}: ${rate.reason}` },
    "databricks_serverless_sql_dbu",
    assumptions,
  );
}

function eventsPipeline(r: SynthesizedResource, index: ResourceIndex, lines: LineBook): void {
  const { environment } = lines;
  const { pipeline } = environment.config.cost;
  const continuous = r.config.continuous === true;
  const dbu = pipeline.dbu_per_hour;
  const rate = dbu !== undefined ? [lines.assume("cost.pipeline.dbu_per_hour", `${dbu} DBUs per hour`)] : [];
  const noRate = {
    missing: "set cost.pipeline.dbu_per_hour: Databricks publishes no DBUs per hour for serverless pipelines",
  };
  if (r.config.serverless !== true) {
    lines.usage(
      r,
      "classic pipeline",
      "databricks_serverless_pipelines_dbu",
      "a classic pipeline bills its EC2 instances separately",
    );
    return;
  }
  if (continuous) {
    lines.add(
      r,
      `updates (continuous, ${model.HOURS_PER_MONTH} h)`,
      dbu !== undefined ? model.pipeline({ continuous: true }, dbu).dbu : noRate,
      "databricks_serverless_pipelines_dbu",
      rate,
    );
    return;
  }
  // Triggered: the updates jobs start on their schedules, plus those started by hand.
  const scheduled = index
    .ofType("databricks_job")
    .filter((j) =>
      blocks(j.config.task).some((t) => index.referenced(block(t.pipeline_task)?.pipeline_id) === r),
    )
    .reduce((runs, j) => runs + (scheduledRuns(j).runs ?? 0), 0);
  const runs = scheduled + pipeline.triggered_runs_per_month;
  const assumptions = [
    ...rate,
    lines.assume(
      "cost.pipeline.triggered_runs_per_month",
      `${round(runs)} triggered updates a month (${round(scheduled)} from unpaused job schedules, ${pipeline.triggered_runs_per_month} more)`,
    ),
    lines.assume(
      "cost.pipeline.triggered_run_minutes",
      `${pipeline.triggered_run_minutes} minutes per update`,
    ),
  ];
  const q = model.pipeline(
    { continuous: false, runsPerMonth: runs, runMinutes: pipeline.triggered_run_minutes },
    dbu ?? 0,
  );
  lines.add(
    r,
    `updates (triggered, ${round(q.hours)} h)`,
    runs === 0 ? 0 : dbu !== undefined ? q.dbu : noRate,
    "databricks_serverless_pipelines_dbu",
    assumptions,
  );
}

/**
 * Runs a month of a resource's Quartz schedule (a job's, an alert's): zero when paused or absent,
 * undefined when it cannot be counted.
 */
function scheduledRuns(resource: SynthesizedResource): { runs?: number; why: string } {
  const schedule = block(resource.config.schedule);
  if (!schedule) return { runs: 0, why: "no schedule: it runs only when started" };
  if (schedule.pause_status === "PAUSED") return { runs: 0, why: "schedule paused" };
  const cron = String(schedule.quartz_cron_expression ?? schedule.quartz_cron_schedule);
  const parsed = parseQuartz(cron);
  if ("problem" in parsed) return { why: `'${cron}' cannot be counted: ${parsed.problem.message}` };
  return { runs: runsPerMonth(parsed.schedule), why: `'${cron}'` };
}

function workflowJob(r: SynthesizedResource, lines: LineBook): void {
  const { environment } = lines;
  const { cost } = environment.config;
  const key = jobKeysOf(environment.config).find((k) => jobAddress(k) === r.address);
  const own = key !== undefined ? cost.jobs[key] : undefined;
  const minutes = own?.minutes ?? cost.job_defaults.minutes;
  const dbu = own?.dbu_per_hour ?? cost.job_defaults.dbu_per_hour;
  const field = (name: string, set: unknown) =>
    set !== undefined ? `cost.jobs.${key}.${name}` : `cost.job_defaults.${name}`;
  const { runs, why } = scheduledRuns(r);
  const computeTasks = blocks(r.config.task).filter((t) => !block(t.pipeline_task));
  const assumptions = [
    lines.assume(`${r.address} schedule`, `${runs === undefined ? "?" : round(runs)} runs a month (${why})`),
    lines.assume(field("minutes", own?.minutes), `${minutes} minutes per run`),
    ...(dbu !== undefined
      ? [lines.assume(field("dbu_per_hour", own?.dbu_per_hour), `${dbu} DBUs per hour`)]
      : []),
  ];
  const quantity =
    runs === undefined
      ? { missing: why }
      : runs === 0 || computeTasks.length === 0
        ? 0
        : dbu !== undefined
          ? model.job(runs, minutes, dbu).dbu
          : {
              missing: `set cost.job_defaults.dbu_per_hour (or cost.jobs.${key}.dbu_per_hour): Databricks publishes no DBUs per hour for serverless jobs`,
            };
  lines.add(
    r,
    computeTasks.length === 0
      ? "serverless runs (pipeline refresh only, priced on the pipeline)"
      : "serverless runs",
    quantity,
    "databricks_serverless_jobs_dbu",
    assumptions,
  );
}

/** An open (token) recipient's reads leave the lake to the internet; true when it made a line. */
function recipient(r: SynthesizedResource, lines: LineBook): boolean {
  const { environment } = lines;
  if (r.config.authentication_type !== "TOKEN") return false;
  const name = String(r.config.name);
  const { sharing } = environment.config.cost;
  const known = recipientNamesOf(environment.config).includes(name) ? sharing.recipients[name] : undefined;
  const reads = known?.reads_gb_per_month ?? sharing.reads_gb_per_month;
  const field = known
    ? `cost.sharing.recipients.${name}.reads_gb_per_month`
    : "cost.sharing.reads_gb_per_month";
  lines.add(
    r,
    "open sharing reads (lake to internet)",
    reads !== undefined
      ? reads
      : { missing: "set cost.sharing.reads_gb_per_month: what a partner reads is theirs to decide" },
    "s3_transfer_out_gb",
    reads !== undefined ? [lines.assume(field, `${reads} GB read a month`)] : [],
  );
  return true;
}
