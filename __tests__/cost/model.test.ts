/**
 * Each component's formula against a calculation written out by hand from the price table. A month is
 * 730 hours, 2,628,000 seconds, 365/12 days; a GB is 1,073,741,824 bytes.
 */
import { parseQuartz, runsPerMonth } from "../../loader/quartz";
import * as model from "../../cost/model";
import { loadPriceBook, type PriceKey } from "../../cost/prices";

const prices = loadPriceBook();

/** The table's price, checked against the figure the hand calculation uses. */
function price(key: PriceKey, region: string, expected: number): number {
  const p = prices.price(key, region);
  expect(p).toMatchObject({ known: true, usd: expected });
  return expected;
}

// The demo's sustained load: about 130 phones at about 4.6 events/s, 90 bytes each.
const demo = { eventsPerSecond: 590, eventBytes: 90 };

describe("Kinesis", () => {
  it("on-demand in eu-west-1 at 590 events/s of 90 bytes: the quantities, and no price to invent", () => {
    const q = model.kinesisOnDemand(demo, 24);
    // 590 events/s × 2,628,000 s = 1,550,520,000 records a month, each billed as 1 KB:
    // 1,550,520,000 KB ÷ 1,048,576 KB per GB = 1,478.6911 GB in, and the same read by the pipeline.
    expect(q.streamHours).toBe(730);
    expect(q.ingestGb).toBeCloseTo(1478.6911, 4);
    expect(q.retrievalGb).toBeCloseTo(1478.6911, 4);
    expect(q.extendedRetentionGbMonths).toBe(0);
    expect(q.longTermRetentionGbMonths).toBe(0);
    // cost/prices.yaml has no source for eu-west-1 Kinesis: the price says why instead.
    for (const key of [
      "kinesis_on_demand_stream_hour",
      "kinesis_on_demand_ingest_gb",
      "kinesis_on_demand_retrieval_gb",
    ] as const) {
      const p = prices.price(key, "eu-west-1");
      expect(p.known).toBe(false);
      expect(p.known ? "" : p.reason).toMatch(/eu-west-1|stored/);
    }
  });

  it("on-demand in us-east-1 at the same load, in dollars", () => {
    const q = model.kinesisOnDemand(demo, 24);
    // 730 h × $0.04 = $29.20; 1,478.6911 GB × $0.08 = $118.30; 1,478.6911 GB × $0.04 = $59.15.
    expect(q.streamHours * price("kinesis_on_demand_stream_hour", "us-east-1", 0.04)).toBeCloseTo(29.2, 2);
    expect(q.ingestGb * price("kinesis_on_demand_ingest_gb", "us-east-1", 0.08)).toBeCloseTo(118.2953, 3);
    expect(q.retrievalGb * price("kinesis_on_demand_retrieval_gb", "us-east-1", 0.04)).toBeCloseTo(
      59.1476,
      3,
    );
  });

  it("charges retention beyond 24 hours for the window it covers", () => {
    // 72 h: 1,478.6911 GB a month ÷ 730 h × 48 h = 97.2290 GB held; × $0.10 = $9.72.
    const q = model.kinesisOnDemand(demo, 72);
    expect(q.extendedRetentionGbMonths).toBeCloseTo(97.229, 3);
    expect(
      q.extendedRetentionGbMonths * price("kinesis_on_demand_extended_retention_gb_month", "us-east-1", 0.1),
    ).toBeCloseTo(9.7229, 3);
    // 336 h: extended up to 168 h (144 h), long-term the other 168 h.
    const twoWeeks = model.kinesisOnDemand(demo, 336);
    expect(twoWeeks.extendedRetentionGbMonths).toBeCloseTo((1478.6911 / 730) * 144, 2);
    expect(twoWeeks.longTermRetentionGbMonths).toBeCloseTo((1478.6911 / 730) * 168, 2);
  });

  it("provisioned: shard-hours, PUT payload units and extended retention per shard-hour", () => {
    // 1 shard × 730 h × $0.015 = $10.95. 200 events/s × 2,628,000 s = 525,600,000 records of 90 bytes,
    // one 25 KB unit each: 525.6 million × $0.014 = $7.36.
    const q = model.kinesisProvisioned(1, { eventsPerSecond: 200, eventBytes: 90 }, 168);
    expect(q.shardHours * price("kinesis_shard_hour", "us-east-1", 0.015)).toBeCloseTo(10.95, 2);
    expect(q.putPayloadUnitsMillion).toBeCloseTo(525.6, 6);
    expect(
      q.putPayloadUnitsMillion * price("kinesis_put_payload_units_million", "us-east-1", 0.014),
    ).toBeCloseTo(7.3584, 4);
    // 168 h: 730 shard-hours of extended retention × $0.02 = $14.60, nothing long-term.
    expect(
      q.extendedRetentionShardHours * price("kinesis_extended_retention_shard_hour", "us-east-1", 0.02),
    ).toBeCloseTo(14.6, 2);
    expect(q.longTermRetentionGbMonths).toBe(0);
    // A 30 KB record is two 25 KB units.
    expect(
      model.kinesisProvisioned(1, { eventsPerSecond: 1, eventBytes: 30 * 1024 }, 24).putPayloadUnitsMillion,
    ).toBeCloseTo(5.256, 6);
  });
});

describe("the HTTP ingest path", () => {
  // All events over HTTP, 10 to a request: 1,550,520,000 ÷ 10 = 155,052,000 requests a month.
  const requests = model.httpRequests(demo, 1, 10);

  it("counts requests from the HTTP share of the load", () => {
    expect(requests).toBe(155_052_000);
    expect(model.httpRequests(demo, 0.5, 10)).toBe(77_526_000);
  });

  it("prices the function's requests and GB-seconds for its architecture and memory", () => {
    // 155.052 million × $0.20 = $31.01. 155,052,000 × 0.1 s × 0.25 GB (256 MB) = 3,876,300 GB-s,
    // × $0.0000133334 (arm64, eu-west-1) = $51.68.
    const q = model.lambdaFunction(requests, 256, 100);
    expect(q.requestsMillion * price("lambda_requests_million", "eu-west-1", 0.2)).toBeCloseTo(31.0104, 4);
    expect(q.gbSeconds).toBeCloseTo(3_876_300, 6);
    expect(q.gbSeconds * price("lambda_gb_second_arm64", "eu-west-1", 0.0000133334)).toBeCloseTo(51.6843, 3);
    expect(price("lambda_gb_second_x86_64", "eu-west-1", 0.0000166667)).toBeGreaterThan(0.0000133334);
  });

  it("meters HTTP API requests in 512 KB units", () => {
    // 10 events × 90 bytes = 900 bytes: one unit. 155.052 million × $1.11 (eu-west-1) = $172.11.
    expect(
      model.httpApi(requests, 900).requestsMillion *
        price("apigateway_http_requests_million", "eu-west-1", 1.11),
    ).toBeCloseTo(172.1077, 4);
    // 1,000 events × 900 bytes = 900,000 bytes: two 524,288-byte units.
    expect(model.httpApi(1e6, 900_000).requestsMillion).toBe(2);
  });

  it("prices the function's logs: ingestion, and what the retention keeps", () => {
    // 155,052,000 × 1,024 bytes = 147.8691 GB × $0.57 = $84.29; 30 days kept: 147.8691 ÷ (365/12) × 30
    // = 145.8435 GB × $0.03 = $4.38.
    const q = model.logGroup(requests * 1024, 30);
    expect(q.ingestGb * price("logs_ingest_gb", "eu-west-1", 0.57)).toBeCloseTo(84.2854, 3);
    expect(q.storageGbMonths).toBeCloseTo(145.8435, 3);
    expect(q.storageGbMonths * price("logs_storage_gb_month", "eu-west-1", 0.03)).toBeCloseTo(4.3753, 3);
  });
});

describe("S3 and the page", () => {
  it("stores the lake's months of events and the noncurrent versions of what is rewritten", () => {
    // 1,550,520,000 events × 90 bytes = 129.9631 GB a month; 12 months = 1,559.557 GB × $0.023 = $35.87.
    // Noncurrent: 129.9631 GB × 1 rewritten × 30 days ÷ (365/12) = 128.1828 GB.
    const q = model.lake(demo, {
      monthsKept: 12,
      storedBytesPerEventByte: 1,
      rewrittenShare: 1,
      noncurrentDays: 30,
    });
    expect(q.currentGbMonths).toBeCloseTo(1559.557, 2);
    expect(q.currentGbMonths * price("s3_standard_gb_month", "us-east-1", 0.023)).toBeCloseTo(35.8698, 3);
    expect(q.noncurrentGbMonths).toBeCloseTo(128.1828, 3);
  });

  it("serves the page through CloudFront: every view fetches every file", () => {
    // 10,000 views × 4 files = 4 × 10,000 requests × $0.012 (Europe) = $0.048; 10,000 × 20,000 bytes
    // = 0.18626 GB × $0.085 = $0.0158.
    const q = model.site(10_000, 4, 20_000);
    expect(q.requests10k * price("cloudfront_https_requests_10k", "eu-west-1", 0.012)).toBeCloseTo(0.048, 6);
    expect(q.transferGb * price("cloudfront_transfer_out_gb", "eu-west-1", 0.085)).toBeCloseTo(0.015832, 5);
  });
});

describe("Databricks", () => {
  it("bills the warehouse's active hours plus the auto-stop tail of each session", () => {
    // X-Small: 6 DBU/h. 2 h a day + 2 sessions × 10 idle minutes = 2.3333 h × 365/12 days = 70.9722 h;
    // × 6 DBU × 1 cluster = 425.8333 DBU × $0.70 = $298.08.
    const rate = prices.warehouseDbuPerHour("X-Small");
    expect(rate).toMatchObject({ known: true, dbu: 6 });
    const q = model.warehouse({
      dbuPerHour: 6,
      clusters: 1,
      activeHoursPerDay: 2,
      sessionsPerDay: 2,
      autoStopMinutes: 10,
    });
    expect(q.hours).toBeCloseTo(70.9722, 3);
    expect(q.dbu * price("databricks_serverless_sql_dbu", "us-east-1", 0.7)).toBeCloseTo(298.0833, 3);
    // A whole day at most.
    expect(
      model.warehouse({
        dbuPerHour: 6,
        clusters: 1,
        activeHoursPerDay: 24,
        sessionsPerDay: 5,
        autoStopMinutes: 60,
      }).hours,
    ).toBeCloseTo(730, 6);
  });

  it("runs a continuous pipeline all month and a triggered one for its updates", () => {
    // Continuous: 730 h × 4 DBU/h = 2,920 DBU × $0.35 = $1,022. Triggered: 30 updates × 20 min = 10 h
    // × 4 DBU/h = 40 DBU × $0.35 = $14.
    const p = price("databricks_serverless_pipelines_dbu", "us-east-1", 0.35);
    expect(model.pipeline({ continuous: true }, 4).dbu * p).toBeCloseTo(1022, 6);
    expect(model.pipeline({ continuous: false, runsPerMonth: 30, runMinutes: 20 }, 4).dbu * p).toBeCloseTo(
      14,
      6,
    );
  });

  it("counts a job's runs from its Quartz schedule", () => {
    // Every 15 minutes: 96 runs a day × 365/12 days = 2,920 runs × 10 min = 486.67 h × 2 DBU/h
    // = 973.33 DBU × $0.35 = $340.67.
    const parsed = parseQuartz("0 0/15 * * * ?");
    if ("problem" in parsed) throw new Error(parsed.problem.message);
    const runs = runsPerMonth(parsed.schedule);
    expect(runs).toBeCloseTo(2920, 6);
    expect(
      model.job(runs, 10, 2).dbu * price("databricks_serverless_jobs_dbu", "us-east-1", 0.35),
    ).toBeCloseTo(340.6667, 3);
  });
});
