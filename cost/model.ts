/**
 * The cost formulas: one pure function per component, from usage to monthly quantities in the unit its
 * price is quoted in (cost/prices.yaml). Multiplying by the price happens in one place, estimate.ts.
 *
 * A month is an average month: 365/12 days, 730 hours, the month AWS's price examples use and the one
 * loader/quartz.ts counts schedule runs over.
 */

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = 365 / 12;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const KIB = 1024;
const GIB = 1024 ** 3;
/** A Kinesis PUT payload unit is a 25 KB chunk of a record. */
const PUT_PAYLOAD_UNIT_BYTES = 25 * KIB;
/** HTTP API requests are metered in 512 KB increments. */
const HTTP_API_METERING_BYTES = 512 * KIB;
/** Retention Kinesis includes; beyond it is extended retention, beyond a week long-term retention. */
const INCLUDED_RETENTION_HOURS = 24;
const EXTENDED_RETENTION_HOURS = 7 * 24;

/** The stream's load over a month: an average rate of events of an average size. */
export interface StreamLoad {
  readonly eventsPerSecond: number;
  readonly eventBytes: number;
}

const eventsPerMonth = (load: StreamLoad): number => load.eventsPerSecond * SECONDS_PER_MONTH;

/**
 * GB Kinesis bills for a month of records: each record (one event) rounded up to 1 KB, the way the
 * AWS page counts data in. Retrieval and retention are counted on the same billed size.
 */
const billedKinesisGb = (load: StreamLoad): number =>
  (eventsPerMonth(load) * Math.ceil(load.eventBytes / KIB) * KIB) / GIB;

/** GB-months of records held in a retention window from `fromHours` to `toHours` after they arrive. */
function retainedGbMonths(
  load: StreamLoad,
  retentionHours: number,
  fromHours: number,
  toHours: number,
): number {
  const window = Math.max(0, Math.min(retentionHours, toHours) - fromHours);
  return (billedKinesisGb(load) / HOURS_PER_MONTH) * window;
}

/** On-demand stream: stream-hours, GB in, GB read by one consumer (the pipeline), retention beyond 24 h. */
export function kinesisOnDemand(load: StreamLoad, retentionHours: number) {
  return {
    streamHours: HOURS_PER_MONTH,
    ingestGb: billedKinesisGb(load),
    retrievalGb: billedKinesisGb(load),
    extendedRetentionGbMonths: retainedGbMonths(
      load,
      retentionHours,
      INCLUDED_RETENTION_HOURS,
      EXTENDED_RETENTION_HOURS,
    ),
    longTermRetentionGbMonths: retainedGbMonths(load, retentionHours, EXTENDED_RETENTION_HOURS, Infinity),
  };
}

/** Provisioned stream: shard-hours, PUT payload units, retention beyond 24 h (per shard-hour up to 7 days). */
export function kinesisProvisioned(shards: number, load: StreamLoad, retentionHours: number) {
  return {
    shardHours: shards * HOURS_PER_MONTH,
    putPayloadUnitsMillion:
      (eventsPerMonth(load) * Math.ceil(load.eventBytes / PUT_PAYLOAD_UNIT_BYTES)) / 1e6,
    extendedRetentionShardHours: retentionHours > INCLUDED_RETENTION_HOURS ? shards * HOURS_PER_MONTH : 0,
    longTermRetentionGbMonths: retainedGbMonths(load, retentionHours, EXTENDED_RETENTION_HOURS, Infinity),
  };
}

/** Shard-level metrics: one CloudWatch metric per metric name and shard, all month. */
export const shardMetrics = (shards: number, metrics: number) => ({ metricMonths: shards * metrics });

/** HTTP requests a month: the HTTP share of the events, so many to a request. */
export const httpRequests = (load: StreamLoad, share: number, eventsPerRequest: number): number =>
  (eventsPerMonth(load) * share) / eventsPerRequest;

/** The ingest function: requests, and GB-seconds of its memory for the time each invocation runs. */
export function lambdaFunction(requests: number, memoryMb: number, durationMs: number) {
  return { requestsMillion: requests / 1e6, gbSeconds: requests * (durationMs / 1000) * (memoryMb / 1024) };
}

/** The HTTP API: requests, each metered in 512 KB units of its body. */
export function httpApi(requests: number, requestBytes: number) {
  return {
    requestsMillion: (requests * Math.max(1, Math.ceil(requestBytes / HTTP_API_METERING_BYTES))) / 1e6,
  };
}

/** A log group: GB written a month, and the GB it holds once its retention is full. */
export function logGroup(bytesPerMonth: number, retentionDays: number) {
  const ingestGb = bytesPerMonth / GIB;
  return { ingestGb, storageGbMonths: (ingestGb / DAYS_PER_MONTH) * retentionDays };
}

/**
 * The lake: every event's bytes (times what the tables store per event byte) kept for `monthsKept`,
 * plus the share of a month's data rewritten (compaction) kept as noncurrent versions for their days.
 */
export function lake(
  load: StreamLoad,
  o: { monthsKept: number; storedBytesPerEventByte: number; rewrittenShare: number; noncurrentDays: number },
) {
  const monthlyGb = (eventsPerMonth(load) * load.eventBytes * o.storedBytesPerEventByte) / GIB;
  return {
    currentGbMonths: monthlyGb * o.monthsKept,
    noncurrentGbMonths: monthlyGb * o.rewrittenShare * (o.noncurrentDays / DAYS_PER_MONTH),
  };
}

/** The page: its files in the site bucket, and every view fetching every file through CloudFront. */
export function site(pageViews: number, files: number, pageBytes: number) {
  return {
    storageGbMonths: pageBytes / GIB,
    requests10k: (pageViews * files) / 1e4,
    transferGb: (pageViews * pageBytes) / GIB,
  };
}

/**
 * The SQL warehouse: its clusters bill DBUs for the active hours of a day plus the idle tail auto-stop
 * leaves after each session, capped at the whole day.
 */
export function warehouse(o: {
  dbuPerHour: number;
  clusters: number;
  activeHoursPerDay: number;
  sessionsPerDay: number;
  autoStopMinutes: number;
}) {
  const hoursPerDay = Math.min(24, o.activeHoursPerDay + (o.sessionsPerDay * o.autoStopMinutes) / 60);
  const hours = hoursPerDay * DAYS_PER_MONTH;
  return { hours, dbu: hours * o.clusters * o.dbuPerHour };
}

/** The pipeline: continuous runs all month; triggered runs so many updates of so many minutes. */
export function pipeline(
  mode: { continuous: true } | { continuous: false; runsPerMonth: number; runMinutes: number },
  dbuPerHour: number,
) {
  const hours = mode.continuous ? HOURS_PER_MONTH : (mode.runsPerMonth * mode.runMinutes) / 60;
  return { hours, dbu: hours * dbuPerHour };
}

/** A job: its scheduled runs of so many minutes each. */
export function job(runsPerMonth: number, runMinutes: number, dbuPerHour: number) {
  const hours = (runsPerMonth * runMinutes) / 60;
  return { hours, dbu: hours * dbuPerHour };
}
