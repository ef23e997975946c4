/**
 * Estimates read from synthesized stacks: variants of prod that change one thing in YAML, to check that
 * the line moves as the formula says (the reference environments as they stand are in cli.test.ts).
 */
import { estimate, type Estimate } from "../../cost/estimate";
import { loadPriceBook } from "../../cost/prices";
import type { TerraformDocument } from "../../policy/resources";
import { referenceEnvironment, synthStack, variantEnvironment } from "../helpers";
import { line } from "./support";

const prices = loadPriceBook();

function estimateOf(name: string, changes?: Record<string, unknown>): Estimate {
  const environment = changes ? variantEnvironment(name, changes) : referenceEnvironment(name);
  return estimate(environment, synthStack(environment).json as TerraformDocument, prices, {
    siteBytes: 20_000,
  });
}

describe("variants of prod in us-east-1, where every price is known", () => {
  // The demo's sustained load, and Databricks usage the config states.
  const usEast = {
    aws: { region: "us-east-1" },
    cost: {
      average_events_per_second: 590,
      pipeline: { dbu_per_hour: 4, triggered_runs_per_month: 30, triggered_run_minutes: 20 },
      job_defaults: { dbu_per_hour: 2 },
    },
  };
  const jobs = referenceEnvironment("prod").config.jobs;
  let base: Estimate;
  beforeAll(() => {
    base = estimateOf("prod", usEast);
  });

  it("price on-demand Kinesis at 590 events/s of 90 bytes as the hand calculation does", () => {
    // 730 h × $0.04; 1,478.6911 GB × $0.08 in and × $0.04 out (model.test.ts has the arithmetic).
    const kinesis = "aws_kinesis_stream.events_stream";
    expect(line(base, kinesis, /stream-hours/).monthly).toBeCloseTo(29.2, 6);
    expect(line(base, kinesis, /data in/).monthly).toBeCloseTo(118.2953, 3);
    expect(line(base, kinesis, /data out/).monthly).toBeCloseTo(59.1476, 3);
    expect(line(base, kinesis, /data in/).assumptions).toEqual([
      "stream.capacity",
      "cost.average_events_per_second",
    ]);
  });

  it("double the warehouse line when its size steps up from X-Small to Small", () => {
    const small = estimateOf("prod", { ...usEast, warehouse: { size: "Small" } });
    const warehouse = /serverless SQL/;
    const [before, after] = [base, small].map(
      (e) => line(e, "databricks_sql_endpoint.sql_warehouse_warehouse", warehouse).monthly!,
    );
    expect(before).toBeCloseTo(298.0833, 3);
    // X-Small runs 6 DBU/h, Small 12 (cost/prices.yaml): one step, twice the line.
    const [xs, s] = ["X-Small", "Small"].map((size) => {
      const rate = prices.warehouseDbuPerHour(size);
      return rate.known ? rate.dbu : NaN;
    });
    expect(after / before).toBeCloseTo(s / xs, 9);
    expect(after / before).toBeCloseTo(2, 9);
  });

  it("zero a job's line when its schedule is paused, and leave the other job alone", () => {
    const paused = estimateOf("prod", {
      ...usEast,
      jobs: {
        ...jobs,
        device_max: { ...jobs.device_max, schedule: { ...jobs.device_max.schedule!, paused: true } },
      },
    });
    const deviceMax = (e: Estimate) =>
      line(e, "databricks_job.job_device_max_job", /serverless runs/).monthly;
    const heatmap = (e: Estimate) =>
      line(e, "databricks_job.job_magnitude_heatmap_job", /serverless runs/).monthly;
    expect(deviceMax(base)).toBeCloseTo(340.6667, 3);
    expect(deviceMax(paused)).toBe(0);
    expect(heatmap(paused)).toBeCloseTo(heatmap(base)!, 9);
    expect(heatmap(base)).toBeGreaterThan(0);
  });

  it("change the pipeline line from 730 hours to runs × minutes when it turns triggered", () => {
    // Development mode runs the pipeline triggered (and pauses every job schedule, so only the 30
    // updates of the cost section count): 30 × 20 min = 10 h instead of 730 h.
    const triggered = estimateOf("prod", { ...usEast, mode: "development", lake: { force_destroy: false } });
    const pipeline = (e: Estimate) => line(e, "databricks_pipeline.events_pipeline_pipeline", /^updates/);
    expect(pipeline(base).component).toBe("updates (continuous, 730 h)");
    // 730 h × 4 DBU/h × $0.35 = $1,022; 10 h × 4 DBU/h × $0.35 = $14 (model.test.ts has the arithmetic).
    expect(pipeline(base).monthly).toBeCloseTo(1022, 6);
    expect(pipeline(triggered).component).toBe("updates (triggered, 10 h)");
    expect(pipeline(triggered).monthly).toBeCloseTo(14, 6);
    expect(pipeline(triggered).monthly! / pipeline(base).monthly!).toBeCloseTo(10 / 730, 9);
  });
});

describe("resources the reference stacks do not have (yet)", () => {
  // Terraform JSON as a stack would write it: alarms (one on metric math) and their topic, the HTTP API's
  // access log, a scheduled SQL alert on the warehouse, a customer key, and a type without a model.
  const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;
  const terraform: TerraformDocument = {
    resource: {
      aws_cloudwatch_metric_alarm: {
        alarms_iterator_age: { alarm_name: "iterator-age" },
        alarms_http_5xx: {
          alarm_name: "http-5xx",
          metric_query: [
            { id: "errors", metric: { metric_name: "5xx" } },
            { id: "requests", metric: { metric_name: "Count" } },
            { id: "percent", expression: "100 * errors / requests", return_data: true },
          ],
        },
      },
      aws_sns_topic: { alarms_topic: { name: "alarms" } },
      aws_cloudwatch_log_group: { http_ingest_access_log_group: { retention_in_days: 30 } },
      aws_apigatewayv2_stage: {
        http_ingest_stage: {
          access_log_settings: {
            destination_arn: ref("aws_cloudwatch_log_group.http_ingest_access_log_group", "arn"),
          },
        },
      },
      aws_kinesis_stream: {
        events_stream: {
          stream_mode_details: { stream_mode: "ON_DEMAND" },
          kms_key_id: "arn:aws:kms:eu-west-1:500000000101:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
      },
      databricks_sql_endpoint: {
        sql_warehouse_warehouse: {
          cluster_size: "X-Small",
          auto_stop_mins: 10,
          min_num_clusters: 1,
          enable_serverless_compute: true,
        },
      },
      databricks_alert_v2: {
        quarantine_alert_alert: {
          warehouse_id: ref("databricks_sql_endpoint.sql_warehouse_warehouse", "id"),
          schedule: { quartz_cron_schedule: "0 0/15 * * * ?", pause_status: "UNPAUSED", timezone_id: "UTC" },
        },
      },
      databricks_notification_destination: { quarantine_alert_destination: {} },
      aws_dynamodb_table: { ledger: { name: "ledger" } },
    },
  };
  let e: Estimate;
  beforeAll(() => {
    // All of dev's 200 events/s over HTTP, 10 to a request.
    const dev = variantEnvironment("dev", { cost: { http: { share: 1, events_per_request: 10 } } });
    e = estimate(dev, terraform, prices);
  });

  it("prices an alarm-month per metric an alarm watches, and leaves SNS notifications to usage", () => {
    // eu-west-1: $0.10 per alarm metric a month (the AWS Price List for eu-west-1).
    expect(line(e, "aws_cloudwatch_metric_alarm.alarms_iterator_age", /alarm/)).toMatchObject({
      quantity: 1,
      monthly: 0.1,
    });
    expect(line(e, "aws_cloudwatch_metric_alarm.alarms_http_5xx", /alarm/).monthly).toBeCloseTo(0.2, 9);
    expect(line(e, "aws_sns_topic.alarms_topic", /notifications/)).toMatchObject({
      monthly: null,
      unitPrice: 0.5,
      unknown: { kind: "usage" },
    });
    expect(e.noCharge).toContain("databricks_notification_destination.quarantine_alert_destination");
  });

  it("prices the HTTP API's access log per request", () => {
    // 200 events/s × 2,628,000 s ÷ 10 = 52,560,000 requests × 400 bytes = 21,024,000,000 bytes = 19.5801 GB × $0.57 = $11.16.
    const ingestion = line(e, "aws_cloudwatch_log_group.http_ingest_access_log_group", /log ingestion/);
    expect(ingestion.quantity).toBeCloseTo(19.5801, 4);
    expect(ingestion.monthly).toBeCloseTo(11.1607, 3);
    expect(ingestion.assumptions).toContain("cost.http.access_log_bytes");
  });

  it("counts the warehouse time a scheduled SQL alert keeps it running", () => {
    // Every 15 minutes: 2,920 runs × (1 minute of query + 10 idle minutes) = 535.33 h × 6 DBU/h (X-Small)
    // = 3,212 DBU × $0.91 (serverless SQL, eu-west-1) = $2,922.92.
    const alert = line(e, "databricks_alert_v2.quarantine_alert_alert", /warehouse kept running/);
    expect(alert.component).toBe("warehouse kept running (535.333 h)");
    expect(alert.quantity).toBeCloseTo(3212, 6);
    expect(alert).toMatchObject({ unitPrice: 0.91, unknown: undefined });
    expect(alert.monthly).toBeCloseTo(2922.92, 6);
  });

  it("counts a customer key named by ARN once, at the resource that names it", () => {
    const key = line(e, "aws_kinesis_stream.events_stream", /^customer key 1234abcd/);
    expect(key).toMatchObject({ quantity: 1, unitPrice: 1, monthly: 1 });
    expect(key.assumptions).toEqual(["kms"]);
    expect(line(e, "aws_kinesis_stream.events_stream", /^key requests/).unknown?.kind).toBe("usage");
  });

  it("shows a resource type it has no model for as not priced, never as free", () => {
    expect(line(e, "aws_dynamodb_table.ledger", /not priced/)).toMatchObject({
      monthly: null,
      unknown: { kind: "usage", reason: "lakestack has no cost model for aws_dynamodb_table" },
    });
    expect(e.totals.unknownLines).toBe(e.lines.filter((l) => l.monthly === null).length);
  });

  it("names only assumptions it lists", () => {
    const ids = new Set(e.assumptions.map((a) => a.id));
    for (const l of e.lines)
      for (const id of l.assumptions)
        expect(`${l.address}: ${id} ${ids.has(id)}`).toBe(`${l.address}: ${id} true`);
  });
});
