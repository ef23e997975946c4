/**
 * The environment schema: the single source of the config's types, defaults, validation and the
 * editor schema (config/lakestack.schema.json). Keys are snake_case, like Terraform and Databricks
 * bundles. Every object is strict: an unknown key is an error, never silently dropped.
 *
 * Rules that need the environment's name (derived resource names) live in naming.ts.
 */
import { z } from "zod";
import { closest } from "./diagnostics";
import { quartzProblem } from "./quartz";
import { regionProblem, timeZoneProblem, UUID, workspaceHostProblem } from "./values";

/** Terraform evaluates JSON strings as templates: a YAML value must not carry `${…}` or `%{…}`. */
const TEMPLATE_SEQUENCE = /[$%]\{/;
/**
 * cdktf encodes references inside strings as `${TfToken[…]}` (refused above with every `${`), lists as
 * `#{TfToken[…]}` and maps as `&{TfToken[…]}`: a YAML value that looks like one would be resolved as a
 * token, or crash synthesis.
 */
const TOKEN_MARKER = /[#&]\{TfToken\[/;

/** Every string in the config goes through here, so none can smuggle a Terraform expression or a cdktf token. */
export function text() {
  return z
    .string()
    .refine((value) => !TEMPLATE_SEQUENCE.test(value), {
      message: "must not contain '${' or '%{': Terraform would evaluate it as an expression",
      abort: true,
      params: { showValue: true },
    })
    .refine((value) => !TOKEN_MARKER.test(value), {
      message:
        "must not contain a cdktf token marker ('#{TfToken[' or '&{TfToken['): synthesis would read it as a reference",
      abort: true,
      params: { showValue: true },
    });
}

const pattern = (regex: RegExp, message: string) => text().regex(regex, { message });

const unityCatalogName = () =>
  pattern(
    /^[a-z_][a-z0-9_]{0,254}$/,
    "must be a Unity Catalog identifier: lowercase letters, digits and underscores, not starting with a digit",
  );
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const email = () => pattern(EMAIL, "must be an e-mail address");
const cidr = () =>
  pattern(
    /^(\d{1,3}\.){3}\d{1,3}(\/(3[0-2]|[12]?\d))?$/,
    "must be an IPv4 address or CIDR block, e.g. 203.0.113.0/24",
  );
const arn = (service: string) =>
  pattern(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ARN of the form arn:aws:${service}:…`);
const tagMap = () =>
  z.record(
    pattern(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1-128 letters, digits, spaces and _.:/=+-@"),
    text().max(256),
  );

/** A principal as Databricks names it: a group name, a user e-mail or a service principal's application id. */
const principal = () =>
  text().min(1).max(255).describe("A group name, user e-mail or service principal application id.");

// ---------------------------------------------------------------------------------------------------
// Named entries: maps keyed by name, merged by key across base.yaml and the environment file

/** What a map of named entries holds, for messages about its shape (the loader explains the old list shape). */
export interface NamedMapInfo {
  /** One entry, e.g. `job`. */
  readonly entry: string;
  /** What the key is, e.g. `its name`. */
  readonly keyedBy: string;
  /** The field that named an entry when these were lists (e.g. `key`), tried in order. */
  readonly listKeys: readonly string[];
}

const NAMED_MAPS = new WeakMap<object, NamedMapInfo>();

/** The named-map description of a schema node, when it is one. */
export function namedMapInfo(schema: unknown): NamedMapInfo | undefined {
  return typeof schema === "object" && schema !== null ? NAMED_MAPS.get(schema) : undefined;
}

/** Every named entry has it: the one way to drop an entry another file defines. */
const enabled = () =>
  z
    .boolean()
    .default(true)
    .describe("false switches off an entry base.yaml defines; leaving an entry out never drops it.");

/**
 * A map of named entries: the key names the entry (and becomes part of its Terraform address), files
 * merge entry by entry, and `enabled: false` drops one. `check` sees the map before disabled entries go.
 */
function namedMap<K extends z.ZodType<string>, V extends z.ZodType<{ enabled: boolean }>>(
  key: K,
  entry: V,
  info: NamedMapInfo,
  check?: (map: Record<string, z.output<V>>, ctx: z.RefinementCtx) => void,
) {
  const record = check ? z.record(key, entry).superRefine(check) : z.record(key, entry);
  NAMED_MAPS.set(record, info);
  return record.transform(
    (map) =>
      Object.fromEntries(Object.entries(map).filter(([, value]) => value.enabled)) as Record<
        string,
        z.output<V>
      >,
  );
}

const PRINCIPAL_KINDS = ["group", "user", "service_principal"] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/**
 * What a permission's key names, unless `kind` says: an e-mail is a user, a UUID a service principal's
 * application id, anything else a group.
 */
export function principalKind(name: string, explicit?: PrincipalKind): PrincipalKind {
  return explicit ?? (name.includes("@") ? "user" : UUID.test(name) ? "service_principal" : "group");
}

const permissionMap = <L extends readonly [string, ...string[]]>(levels: L) =>
  namedMap(
    principal(),
    z.strictObject({
      level: z.enum(levels).describe("What the principal may do."),
      kind: z
        .enum(PRINCIPAL_KINDS)
        .optional()
        .describe(
          "What the key names. Default: an e-mail is a user, a UUID a service principal's application id, anything else a group.",
        ),
      enabled: enabled(),
    }),
    { entry: "permission", keyedBy: "its principal", listKeys: ["group", "user", "service_principal"] },
    (map, ctx) => {
      for (const [name, entry] of Object.entries(map)) {
        const kind = principalKind(name, entry.kind);
        if (kind === "user" && !EMAIL.test(name)) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `'${name}' is not a user's e-mail address`,
            params: { atKey: true },
          });
        } else if (kind === "service_principal" && !UUID.test(name)) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `'${name}' is not a service principal's application id (a UUID such as 6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13)`,
            params: { atKey: true },
          });
        }
      }
    },
  ).transform((map) =>
    Object.fromEntries(
      Object.entries(map).map(([name, entry]) => [name, { ...entry, kind: principalKind(name, entry.kind) }]),
    ),
  );

const grantMap = () =>
  namedMap(
    principal(),
    z.strictObject({
      privileges: z
        .array(pattern(/^[A-Z_]+$/, "privileges are upper-case, e.g. USE_CATALOG"))
        .min(1)
        .describe("Privileges the principal gets, e.g. [USE_CATALOG, SELECT]."),
      enabled: enabled(),
    }),
    { entry: "grant", keyedBy: "its principal", listKeys: ["principal"] },
  );

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Per-shard write limits of a provisioned Kinesis stream. */
export const SHARD_RECORDS_PER_SECOND = 1000;
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;

const stream = z
  .strictObject({
    name: pattern(/^[a-zA-Z0-9_.-]{1,128}$/, "Kinesis stream names are 1-128 of a-z A-Z 0-9 _ . -")
      .optional()
      .describe("Stream name. Default: <project>-<environment>-events. Renaming replaces the stream."),
    mode: z
      .enum(["on-demand", "provisioned"])
      .default("on-demand")
      .describe("on-demand scales by itself and bills per GB; provisioned bills per shard-hour."),
    shards: z
      .int()
      .min(1)
      .max(10000)
      .optional()
      .describe("Shard count; required for provisioned, forbidden for on-demand."),
    retention_hours: z
      .int()
      .min(24)
      .max(8760)
      .default(24)
      .describe("How long records stay readable (24-8760 hours)."),
    kms_key_arn: arn("kms")
      .optional()
      .describe("Customer-managed KMS key. Default: the AWS-managed key alias/aws/kinesis."),
    shard_level_metrics: z
      .array(
        z.enum([
          "IncomingBytes",
          "IncomingRecords",
          "OutgoingBytes",
          "OutgoingRecords",
          "WriteProvisionedThroughputExceeded",
          "ReadProvisionedThroughputExceeded",
          "IteratorAgeMilliseconds",
        ]),
      )
      .default([])
      .describe("Per-shard CloudWatch metrics to turn on (billed per metric and shard)."),
    capacity: z
      .strictObject({
        peak_events_per_second: z.number().positive().describe("Expected peak events per second."),
        average_event_bytes: z
          .int()
          .min(1)
          .max(1048576)
          .default(100)
          .describe("Average event size in bytes."),
      })
      .optional()
      .describe("Capacity plan; a provisioned stream that cannot carry it is an error."),
  })
  .superRefine((s, ctx) => {
    if (s.mode === "provisioned" && s.shards === undefined) {
      ctx.addIssue({ code: "custom", path: ["shards"], message: "a provisioned stream needs a shard count" });
    }
    if (s.mode === "on-demand" && s.shards !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["shards"],
        message: "an on-demand stream scales by itself: remove shards, or set mode: provisioned",
      });
    }
    if (s.mode === "provisioned" && s.shards !== undefined && s.capacity) {
      const needed = shardsNeeded(s.capacity.peak_events_per_second, s.capacity.average_event_bytes);
      if (s.shards < needed) {
        ctx.addIssue({
          code: "custom",
          path: ["shards"],
          message:
            `${s.shards} shard(s) carry ${s.shards * SHARD_RECORDS_PER_SECOND} records/s and ${s.shards} MiB/s, ` +
            `but capacity asks for ${s.capacity.peak_events_per_second} events/s of ${s.capacity.average_event_bytes} bytes: ` +
            `set shards to at least ${needed}`,
        });
      }
    }
  });

/** Shards a provisioned stream needs for a peak rate: each carries 1,000 records/s and 1 MiB/s. */
export function shardsNeeded(eventsPerSecond: number, eventBytes: number): number {
  return Math.max(
    1,
    Math.ceil(eventsPerSecond / SHARD_RECORDS_PER_SECOND),
    Math.ceil((eventsPerSecond * eventBytes) / SHARD_BYTES_PER_SECOND),
  );
}

const browserIngest = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe("The seismograph page on a public S3 website, writing via Cognito guests."),
  transport: z
    .enum(["kinesis", "http"])
    .default("kinesis")
    .describe(
      "kinesis: visitors write to the stream as Cognito guests (identity pool and guest role); http: the page posts to the HTTP ingest, which checks every event and throttles (needs http_ingest; no identity pool, no guest role).",
    ),
  site_bucket: pattern(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "S3 bucket names are 3-63 of a-z 0-9 -")
    .optional()
    .describe("Site bucket name. Default: <project>-<environment>-site-<account id>."),
});

const httpIngest = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe("POST /events on an API Gateway HTTP API, written by a Lambda."),
  throttle_rate: z.number().positive().max(10000).default(100).describe("Steady requests/s the API allows."),
  throttle_burst: z.int().min(1).max(5000).default(200).describe("Burst requests the API allows."),
  memory_mb: z
    .int()
    .min(128)
    .max(10240)
    .default(256)
    .describe("Memory of the ingest function; Lambda gives CPU in proportion."),
  timeout_seconds: z.int().min(1).max(29).default(10).describe("At most 29: API Gateway waits 30 s."),
  log_retention_days: z
    .union(
      LOG_RETENTION_DAYS.map((d) => z.literal(d)) as unknown as [
        z.ZodLiteral<number>,
        ...z.ZodLiteral<number>[],
      ],
    )
    .default(30)
    .describe("CloudWatch log retention: 1, 3, 5, 7, 14, 30, 60, 90, … days."),
  max_body_bytes: z
    .int()
    .min(1024)
    .max(6 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("Largest request body the function reads; larger ones get 413."),
  max_batch_records: z
    .int()
    .min(1)
    .max(10000)
    .default(500)
    .describe("Most events one request may carry; more get 413."),
  reserved_concurrency: z
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      "Concurrent executions reserved for the function, for an account that runs other functions too. Default: none, it shares the account's pool. AWS refuses a reservation that leaves fewer than 100 executions unreserved: check AccountLimit.UnreservedConcurrentExecutions in `aws lambda get-account-settings` first (lakestack doctor does).",
    ),
});

/** Bounds of the event contract, applied by the ingest function and by the pipeline to every path. */
const contract = z.strictObject({
  magnitude_max: z
    .number()
    .positive()
    .max(1_000_000)
    .default(3000)
    .describe(
      "Largest magnitude accepted (a ±16 g phone reads at most about 2,600); larger ones are refused or quarantined.",
    ),
  max_age_minutes: z
    .int()
    .min(1)
    .max(525_600)
    .default(1440)
    .describe("How long before its arrival an event's time may be; older ones are refused or quarantined."),
  max_ahead_minutes: z
    .int()
    .min(0)
    .max(1440)
    .default(15)
    .describe("How far after its arrival an event's time may be (phone clocks drift)."),
});

/** A Quartz cron expression as Databricks reads it, checked field by field (loader/quartz.ts). */
const quartzCron = () =>
  text()
    .superRefine((cron, ctx) => {
      const problem = quartzProblem(cron);
      if (problem) {
        ctx.addIssue({
          code: "custom",
          message: `not a Quartz cron Databricks accepts: ${problem.message}`,
          // The loader points at the field at fault inside the YAML string.
          params: { offset: problem.offset, showValue: true },
        });
      }
    })
    .describe(
      "Quartz cron: seconds minutes hours day-of-month month day-of-week [year], e.g. '0 0/15 * * * ?'.",
    );

/** Once a day, at 07:00 UTC: enough for a data-quality signal, and the warehouse wakes once. */
const DAILY_QUARANTINE_CHECK = "0 0 7 * * ?";

/** Alarms and who hears them; thresholds default from stream.capacity and http_ingest where they can. */
const alarms = z.strictObject({
  enabled: z
    .boolean()
    .optional()
    .describe(
      "CloudWatch alarms to an SNS topic, and the quarantine alert. Default: on in production, off in development.",
    ),
  emails: z
    .array(email())
    .default([])
    .describe(
      "On-call addresses: the alarm topic's e-mail subscriptions (each confirms once) and the pipeline's failure notices.",
    ),
  iterator_age_seconds: z
    .int()
    .min(60)
    .max(604_800)
    .default(300)
    .describe(
      "Alarm when the pipeline's reads lag this far behind the stream (GetRecords.IteratorAgeMilliseconds).",
    ),
  incoming_events_per_second: z
    .number()
    .positive()
    .optional()
    .describe(
      "Alarm when the stream receives more than this for five minutes. Default: stream.capacity.peak_events_per_second (no alarm without a capacity plan).",
    ),
  throttled_records: z
    .int()
    .min(1)
    .optional()
    .describe(
      "Alarm when Kinesis refuses more writes than this in five minutes. Default: 0.1% of five minutes at the capacity peak, at least 1.",
    ),
  ingest_errors: z
    .int()
    .min(1)
    .default(1)
    .describe(
      "Alarm when the ingest function fails (errors or throttles) at least this often in five minutes.",
    ),
  http_5xx_percent: z
    .number()
    .positive()
    .max(100)
    .default(1)
    .describe("Alarm when more than this share of HTTP ingest requests fail with 5xx over five minutes."),
  quarantine_percent: z
    .number()
    .positive()
    .max(100)
    .default(1)
    .describe(
      "Alert (Databricks SQL, needs the warehouse) when more than this share of the events since the last check were quarantined.",
    ),
  quarantine_check: z
    .strictObject({
      cron: quartzCron().default(DAILY_QUARANTINE_CHECK),
      window_hours: z
        .int()
        .min(1)
        .max(168)
        .default(24)
        .describe("How many hours of events each check counts."),
    })
    .default({ cron: DAILY_QUARANTINE_CHECK, window_hours: 24 })
    .describe(
      "When the quarantine alert runs. Each check wakes the SQL warehouse for its auto-stop minutes: every 15 minutes keeps it running about 535 hours a month, hourly about 135, daily about 5.",
    ),
});

const lake = z.strictObject({
  bucket: pattern(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "S3 bucket names are 3-63 of a-z 0-9 -")
    .optional()
    .describe(
      "Lake bucket name. Default: <project>-<environment>-lake-<account id>. Renaming replaces the bucket.",
    ),
  noncurrent_version_expiration_days: z
    .int()
    .min(1)
    .max(3650)
    .default(30)
    .describe("Days an overwritten or deleted object's old version is kept."),
  force_destroy: z
    .boolean()
    .default(false)
    .describe("Let terraform destroy a non-empty bucket. Development mode only."),
  kms_key_arn: arn("kms")
    .optional()
    .describe("Customer-managed KMS key for the lake. Default: SSE-S3 (AES256)."),
});

const unityCatalog = z.strictObject({
  catalog: unityCatalogName()
    .optional()
    .describe("Catalog name. Default: <project>_<environment> (hyphens → _)."),
  schema: unityCatalogName()
    .default("seismograph")
    .describe("Schema the pipeline and jobs write their tables to."),
  catalog_grants: grantMap()
    .prefault({})
    .describe(
      "Privileges on the catalog, keyed by principal: `seismo-analysts: { privileges: [USE_CATALOG] }`.",
    ),
  schema_grants: grantMap().prefault({}).describe("Privileges on the schema, keyed by principal."),
  instance_profile: z
    .boolean()
    .default(false)
    .describe("Also create an instance profile for classic compute."),
});

/** A notebook in notebooks/ or a SQL file in sql/, by its file name without the extension. */
const workloadName = (folder: string) =>
  pattern(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
    `the file's name in ${folder} without its extension: letters, digits, _ and -`,
  );

/** Values passed to notebooks, SQL files and pipelines: text, or a number or boolean written as text. */
const settingValue = () =>
  z.union([text().max(4096), z.number(), z.boolean()]).transform((value) => String(value));

/** Names lakestack passes to every job task itself. */
const RESERVED_PARAMETERS = ["catalog", "schema"];

const parameterMap = () =>
  z
    .record(
      pattern(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "parameter names are letters, digits and _"),
      settingValue(),
    )
    .superRefine((map, ctx) => {
      for (const name of Object.keys(map).filter((n) => RESERVED_PARAMETERS.includes(n))) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          params: { atKey: true },
          message: `lakestack passes '${name}' to every task itself (the environment's ${name}); choose another name`,
        });
      }
    });

const pipeline = z
  .strictObject({
    channel: z
      .enum(["CURRENT", "PREVIEW"])
      .default("CURRENT")
      .describe("Databricks runtime channel of the pipeline."),
    starting_position: z
      .enum(["latest", "trim_horizon"])
      .default("trim_horizon")
      .describe("Where a new pipeline starts reading: the oldest record kept, or only new ones."),
    notifications: z.array(email()).default([]).describe("Who hears about failed updates."),
    permissions: permissionMap(["CAN_VIEW", "CAN_RUN", "CAN_MANAGE"])
      .prefault({})
      .describe(
        "Who may view, run or manage the pipeline, keyed by principal: `seismo-analysts: { level: CAN_VIEW }`.",
      ),
    libraries: namedMap(workloadName("notebooks/"), z.strictObject({ enabled: enabled() }), {
      entry: "library",
      keyedBy: "its notebook's name",
      listKeys: ["notebook"],
    })
      .prefault({})
      .describe(
        "More notebooks of notebooks/ the pipeline runs beside its ingest notebook, keyed by notebook name: `quake_rollups: {}`. They read the ingest notebook's datasets (sensor, events) by name.",
      ),
    configuration: z
      .record(
        pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}$/, "configuration keys are letters, digits and _ . -"),
        settingValue(),
      )
      .prefault({})
      .describe("Settings every notebook of the pipeline reads with spark.conf.get(key)."),
  })
  .superRefine((p, ctx) => {
    for (const key of Object.keys(p.configuration).filter((k) => k.startsWith("lakestack."))) {
      ctx.addIssue({
        code: "custom",
        path: ["configuration", key],
        params: { atKey: true },
        message:
          "keys starting with 'lakestack.' are lakestack's own (the ingest notebook's settings); choose another prefix",
      });
    }
  });

const taskKey = () =>
  pattern(/^[a-z][a-z0-9_]{0,99}$/, "task names are lowercase letters, digits and _, starting with a letter");

const TASK_KINDS = ["notebook", "sql_file", "pipeline_refresh"] as const;

const jobTask = z
  .strictObject({
    notebook: workloadName("notebooks/")
      .optional()
      .describe(
        "Run this notebook of notebooks/ (`.py` or `.sql`, by name without the extension) on serverless compute.",
      ),
    sql_file: workloadName("sql/")
      .optional()
      .describe("Run this SQL file of sql/ (by name without `.sql`) on the environment's SQL warehouse."),
    pipeline_refresh: z
      .boolean()
      .optional()
      .describe("Refresh the environment's pipeline (triggered pipelines only: not in production)."),
    parameters: parameterMap()
      .prefault({})
      .describe(
        "Parameters of this task: widgets of its notebook, or :name markers of its SQL file. catalog and schema are always passed.",
      ),
    depends_on: z
      .array(taskKey())
      .default([])
      .describe("Tasks of the same job that must succeed before this one starts."),
    max_retries: z.int().min(0).max(10).default(0).describe("Times a failed run of the task is retried."),
    timeout_seconds: z
      .int()
      .min(0)
      .max(172800)
      .default(0)
      .describe("Seconds one run of the task may take before it is stopped; 0: no limit."),
    enabled: enabled(),
  })
  .superRefine((t, ctx) => {
    const kinds = TASK_KINDS.filter((k) => (k === "pipeline_refresh" ? t[k] === true : t[k] !== undefined));
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: kinds.length > 1 ? [kinds[1]] : [],
        message:
          kinds.length > 1
            ? `a task runs one thing: ${kinds.join(" or ")}, not both`
            : "a task runs a notebook, a sql_file, or pipeline_refresh: true",
      });
    }
  });

/** Checks the tasks of one job: dependencies name enabled tasks of the same job, and run in no circle. */
function checkTaskGraph(tasks: Record<string, z.output<typeof jobTask>>, ctx: z.RefinementCtx): void {
  const live = Object.keys(tasks).filter((k) => tasks[k].enabled);
  for (const key of live) {
    tasks[key].depends_on.forEach((dependency, i) => {
      const message =
        dependency === key
          ? "a task cannot depend on itself"
          : !Object.hasOwn(tasks, dependency)
            ? `no task '${dependency}' in this job (tasks: ${live.join(", ")})`
            : !tasks[dependency].enabled
              ? `task '${dependency}' is switched off (enabled: false)`
              : undefined;
      if (message) ctx.addIssue({ code: "custom", path: [key, "depends_on", i], message });
    });
  }
  // Depth-first search; an edge back into the current path closes a cycle.
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (key: string): void => {
    state.set(key, "visiting");
    path.push(key);
    tasks[key].depends_on.forEach((dependency, i) => {
      if (dependency === key || !live.includes(dependency)) return;
      if (state.get(dependency) === "visiting") {
        const cycle = [...path.slice(path.indexOf(dependency)), dependency];
        ctx.addIssue({
          code: "custom",
          path: [key, "depends_on", i],
          message: `tasks depend on each other in a circle (${cycle.join(" → ")}), so none of them can start`,
        });
      } else if (!state.has(dependency)) visit(dependency);
    });
    path.pop();
    state.set(key, "done");
  };
  for (const key of live) if (!state.has(key)) visit(key);
}

/** A folder of the data lake, relative to its root. */
const lakeFolder = () =>
  pattern(
    /^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9_.=-][A-Za-z0-9_.=/-]*\/$/,
    "a folder of the data lake relative to its root, ending in '/', e.g. raw/landing/",
  ).refine((path) => !path.startsWith("curated/"), {
    message: "curated/ holds the catalog's managed tables; watch a folder under raw/ or processed/",
    params: { showValue: true },
  });

const job = z
  .strictObject({
    tasks: namedMap(
      taskKey(),
      jobTask,
      { entry: "task", keyedBy: "its name within the job", listKeys: ["key"] },
      checkTaskGraph,
    ).describe("The job's tasks, keyed by name: `chart: { notebook: device_max }`."),
    schedule: z
      .strictObject({
        cron: quartzCron(),
        timezone: text()
          .superRefine((zone, ctx) => {
            const problem = timeZoneProblem(zone);
            if (problem)
              ctx.addIssue({
                code: "custom",
                message: problem,
                params: { showValue: !problem.includes(`'${zone}'`) },
              });
          })
          .default("UTC")
          .describe("IANA time zone the schedule runs in, e.g. Europe/Berlin."),
        paused: z.boolean().default(false).describe("Always paused in development mode."),
      })
      .optional()
      .describe("When the job runs by itself. Default: only when started."),
    file_arrival: z
      .strictObject({
        path: lakeFolder().describe("The folder of the data lake to watch, e.g. raw/landing/."),
        min_time_between_triggers_seconds: z
          .int()
          .min(60)
          .max(86400)
          .optional()
          .describe("Start a run at most this often. Default: Databricks' (60 s)."),
        wait_after_last_change_seconds: z
          .int()
          .min(60)
          .max(86400)
          .optional()
          .describe("Wait until no file has changed for this long, so a batch of files starts one run."),
      })
      .optional()
      .describe(
        "Run the job when files arrive in a folder of the data lake (instead of on a schedule); paused in development mode.",
      ),
    parameters: parameterMap()
      .prefault({})
      .describe(
        "Job parameters: passed to every task, and changeable for one run. catalog and schema are reserved.",
      ),
    on_failure: z.array(email()).default([]).describe("Who is e-mailed when a run fails."),
    max_concurrent_runs: z.int().min(1).max(1000).default(1).describe("Runs of the job allowed at once."),
    queue: z
      .boolean()
      .default(true)
      .describe("Queue a run that would exceed max_concurrent_runs instead of skipping it."),
    tags: tagMap().default({}).describe("Tags on the job (environment is always set)."),
    permissions: permissionMap(["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"])
      .prefault({})
      .describe(
        "Who may view, run or manage the job, keyed by principal: `seismo-engineers: { level: CAN_MANAGE_RUN }`.",
      ),
    enabled: enabled(),
  })
  .superRefine((j, ctx) => {
    if (Object.keys(j.tasks).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["tasks"],
        message: "a job needs at least one task that is not switched off",
      });
    }
    if (j.schedule && j.file_arrival) {
      ctx.addIssue({
        code: "custom",
        path: ["file_arrival"],
        message: "a job starts either on a schedule or on file arrival, not both: remove one",
      });
    }
  });

/** Serverless SQL warehouse sizes, smallest first. */
export const WAREHOUSE_SIZES = [
  "2X-Small",
  "X-Small",
  "Small",
  "Medium",
  "Large",
  "X-Large",
  "2X-Large",
  "3X-Large",
  "4X-Large",
] as const;

const warehouse = z
  .strictObject({
    enabled: z.boolean().default(true).describe("A serverless SQL warehouse for dashboards and queries."),
    size: z
      .enum(WAREHOUSE_SIZES)
      .default("2X-Small")
      .describe("Cluster size; each step up doubles DBUs per hour."),
    auto_stop_minutes: z
      .int()
      .min(1)
      .max(10080)
      .default(10)
      .describe("Never 0: an idle warehouse would run forever."),
    min_clusters: z.int().min(1).max(30).default(1).describe("Clusters kept while the warehouse runs."),
    max_clusters: z.int().min(1).max(30).default(1).describe("Clusters it may scale out to under load."),
    tags: tagMap().default({}).describe("Tags on the warehouse (project and environment are always set)."),
    permissions: permissionMap(["CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE"])
      .prefault({})
      .describe(
        "Who may use, monitor or manage the warehouse, keyed by principal: `seismo-analysts: { level: CAN_USE }`.",
      ),
  })
  .refine((w) => w.min_clusters <= w.max_clusters, {
    path: ["max_clusters"],
    message: "max_clusters must be at least min_clusters",
  });

const shareObject = z.strictObject({
  type: z
    .enum(["TABLE", "STREAMING_TABLE", "MATERIALIZED_VIEW", "VIEW"])
    .default("TABLE")
    .describe("What the object is, as Unity Catalog calls it."),
  history: z.boolean().default(false).describe("Share the table history (time travel, streaming reads)."),
  enabled: enabled(),
});

const recipient = z
  .strictObject({
    auth: z
      .enum(["token", "databricks"])
      .describe("token: open sharing with a credential file; databricks: D2D."),
    ip_access_list: z
      .array(cidr())
      .max(100)
      .optional()
      .describe("token recipients: where the token may be used from."),
    metastore_id: pattern(
      /^[a-z]+:[a-z0-9-]+:[0-9a-f-]{36}$/,
      "a global metastore id: <cloud>:<region>:<uuid>",
    )
      .optional()
      .describe("databricks recipients: the partner's global metastore id."),
    comment: text().max(1024).optional().describe("What the recipient is for, shown in Databricks."),
    enabled: enabled(),
  })
  .superRefine((r, ctx) => {
    if (r.auth === "databricks" && r.metastore_id === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["metastore_id"],
        message: "a databricks recipient needs metastore_id",
      });
    }
    if (r.auth === "databricks" && r.ip_access_list !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["ip_access_list"],
        message: "only token recipients take an IP access list",
      });
    }
    if (r.auth === "token" && r.metastore_id !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["metastore_id"],
        message: "only databricks recipients take metastore_id",
      });
    }
  });

const sharing = z.strictObject({
  enabled: z.boolean().default(false).describe("A Delta Sharing share of the schema, with its recipients."),
  share: unityCatalogName().optional().describe("Share name. Default: <project>_<environment>."),
  share_schema: z
    .boolean()
    .default(true)
    .describe("Share the whole schema, so the first deploy works before the pipeline created any table."),
  objects: namedMap(
    pattern(/^[a-z_][a-z0-9_]*$/, "a table or view of the environment's schema, e.g. global_stat"),
    shareObject,
    { entry: "shared object", keyedBy: "its table or view name", listKeys: ["name"] },
  )
    .prefault({})
    .describe(
      "Individual tables and views of the schema, keyed by name, once the pipeline has created them.",
    ),
  recipients: namedMap(unityCatalogName(), recipient, {
    entry: "recipient",
    keyedBy: "its name in Unity Catalog",
    listKeys: ["name"],
  })
    .prefault({})
    .describe(
      "Who the share is shared with, keyed by recipient name: `partner_research: { auth: token, … }`.",
    ),
});

const state = z
  .strictObject({
    backend: z
      .enum(["s3", "local"])
      .default("s3")
      .describe("s3: the bootstrap's state bucket, with locking; local: a file, for trying things out."),
    bucket: pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name")
      .optional()
      .describe("State bucket (s3 backend)."),
    region: text().optional().describe("State bucket region. Default: aws.region."),
    key_prefix: pattern(/^[a-zA-Z0-9_./-]+$/, "letters, digits and _ . / -")
      .default("lakestack")
      .describe("State objects are <key_prefix>/<environment>.tfstate."),
    kms_key_arn: arn("kms").optional().describe("KMS key the state is encrypted with. Default: SSE-S3."),
    path: text()
      .optional()
      .describe("Local backend: the state file. Default: terraform.<environment>.tfstate."),
  })
  .superRefine((s, ctx) => {
    if (s.backend === "s3" && s.bucket === undefined) {
      ctx.addIssue({ code: "custom", path: ["bucket"], message: "the s3 backend needs a bucket" });
    }
  });

const waiver = z.strictObject({
  rule: pattern(/^LS-[A-Z0-9]+-\d+$/, "a rule id such as LS-S3-1").describe("The rule id, e.g. LS-S3-1."),
  resource: text()
    .min(1)
    .describe(
      "Terraform address, e.g. aws_s3_bucket.browser_site_bucket; for findings about a YAML value, its dotted path.",
    ),
  reason: text()
    .min(10, { message: "say why in at least 10 characters" })
    .describe("Why the finding is right by design."),
  enabled: enabled(),
});

// ---------------------------------------------------------------------------------------------------
// Cost assumptions: what `lakestack cost` cannot read from the stacks (docs/cost.md)

const positive = () => z.number().positive();
const costJob = z.strictObject({
  minutes: positive()
    .max(10080)
    .optional()
    .describe("Expected minutes one run takes. Default: cost.job_defaults.minutes."),
  dbu_per_hour: positive()
    .max(100000)
    .optional()
    .describe("DBUs per hour while it runs. Default: cost.job_defaults.dbu_per_hour."),
});

const cost = z.strictObject({
  average_events_per_second: z
    .number()
    .min(0)
    .optional()
    .describe(
      "Average events per second over a month. Default: stream.capacity.peak_events_per_second × average_to_peak.",
    ),
  average_to_peak: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe("The month's average rate as a share of the peak; 1 prices every hour at the peak."),
  http: z
    .strictObject({
      share: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe(
          "Share of events that arrive through the HTTP API. Default: 0 with the page (it writes to Kinesis itself), else 1.",
        ),
      events_per_request: z.int().min(1).max(10000).default(1).describe("Events one HTTP request carries."),
      function_ms: positive().max(900000).default(100).describe("Milliseconds one ingest invocation runs."),
      function_log_bytes: z
        .int()
        .min(0)
        .max(1048576)
        .default(1024)
        .describe("Log bytes one ingest invocation writes (Lambda's start and report lines included)."),
      access_log_bytes: z
        .int()
        .min(0)
        .max(1048576)
        .default(400)
        .describe("Bytes of the HTTP API's access log line per request, where the stage logs them."),
    })
    .prefault({})
    .describe("The HTTP ingest path: how much of the load it carries and what one request costs."),
  lake: z
    .strictObject({
      months_kept: positive().max(1200).default(12).describe("Months of events the lake holds."),
      stored_bytes_per_event_byte: positive()
        .max(100)
        .default(1)
        .describe("Bytes the lake stores per byte of event (its tables and copies together)."),
      rewritten_share: z
        .number()
        .min(0)
        .max(100)
        .default(1)
        .describe("Share of a month's new data rewritten (compaction), kept as noncurrent versions."),
      put_requests_per_month: z.number().min(0).optional().describe("PUT/COPY/POST/LIST requests a month."),
      get_requests_per_month: z.number().min(0).optional().describe("GET and other requests a month."),
    })
    .prefault({})
    .describe("The lake bucket: how the events add up in S3."),
  site: z
    .strictObject({
      page_views_per_month: z.number().min(0).default(10000).describe("Times the page is loaded a month."),
    })
    .prefault({})
    .describe("The seismograph page behind CloudFront."),
  warehouse: z
    .strictObject({
      active_hours_per_day: z
        .number()
        .min(0)
        .max(24)
        .default(2)
        .describe("Hours a day queries keep the warehouse running."),
      sessions_per_day: z
        .number()
        .min(0)
        .max(1440)
        .default(2)
        .describe("Times a day it starts; each ends with warehouse.auto_stop_minutes of idle time."),
      clusters: positive().max(30).optional().describe("Average clusters running. Default: min_clusters."),
      alert_run_minutes: positive()
        .max(1440)
        .default(1)
        .describe("Minutes one scheduled SQL alert's query runs; auto-stop adds its idle minutes after."),
    })
    .prefault({})
    .describe("How much the SQL warehouse runs."),
  pipeline: z
    .strictObject({
      dbu_per_hour: positive()
        .max(100000)
        .optional()
        .describe("DBUs per hour of the serverless pipeline. No default: Databricks publishes none."),
      triggered_runs_per_month: z
        .number()
        .min(0)
        .default(0)
        .describe("Updates of a triggered pipeline a month besides those jobs start."),
      triggered_run_minutes: positive()
        .max(10080)
        .default(15)
        .describe("Minutes one triggered update takes."),
    })
    .prefault({})
    .describe("How much the pipeline runs."),
  job_defaults: z
    .strictObject({
      minutes: positive().max(10080).default(10).describe("Minutes one job run takes."),
      dbu_per_hour: positive()
        .max(100000)
        .optional()
        .describe("DBUs per hour of a serverless job run. No default: Databricks publishes none."),
    })
    .prefault({})
    .describe("Job assumptions, unless cost.jobs says otherwise for a job."),
  jobs: z
    .record(text(), costJob)
    .default({})
    .describe("Per job, by its key: its own minutes and DBUs per hour."),
  sharing: z
    .strictObject({
      reads_gb_per_month: z
        .number()
        .min(0)
        .optional()
        .describe("GB an open (token) recipient reads a month. No default."),
      recipients: z
        .record(
          text(),
          z.strictObject({
            reads_gb_per_month: z.number().min(0).describe("GB this recipient reads a month."),
          }),
        )
        .default({})
        .describe("Per open recipient, by name."),
    })
    .prefault({})
    .describe("Delta Sharing: what open recipients read, out of the lake to the internet."),
  databricks: z
    .strictObject({
      dbu_price: z
        .strictObject({
          sql: z.number().min(0).optional().describe("USD per DBU of serverless SQL."),
          pipelines: z.number().min(0).optional().describe("USD per DBU of serverless pipelines."),
          jobs: z.number().min(0).optional().describe("USD per DBU of serverless jobs."),
        })
        .prefault({})
        .describe("Negotiated rates; each replaces the list price for its product."),
    })
    .prefault({})
    .describe("Databricks rates of your contract."),
  aws: z
    .strictObject({
      discount: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe("Share taken off every AWS list price, e.g. 0.1 for 10 %."),
    })
    .prefault({})
    .describe("AWS rates of your contract."),
  price_max_age_days: z
    .int()
    .min(1)
    .max(36500)
    .default(365)
    .describe("Prices read longer ago than this are reported as stale."),
});

/** Job keys and open-recipient names: the one place that knows how the config lists them. */
export const jobKeysOf = (c: { jobs: Readonly<Record<string, unknown>> }): string[] => Object.keys(c.jobs);
export const recipientNamesOf = (c: {
  sharing: { recipients: Readonly<Record<string, unknown>> };
}): string[] => Object.keys(c.sharing.recipients);

export const environmentSchema = z
  .strictObject({
    project: pattern(
      /^[a-z][a-z0-9-]{1,19}$/,
      "2-20 lowercase letters, digits and hyphens, starting with a letter",
    ).describe("Short project name; every resource name starts with it."),
    mode: z
      .enum(["development", "production"])
      .describe("development pauses schedules and runs pipelines triggered; production protects data."),
    aws: z
      .strictObject({
        region: text().describe("Region of every AWS resource of the environment, e.g. eu-west-1."),
        account_id: pattern(
          /^\d{12}$/,
          '12 digits, quoted ("123456789012") so YAML keeps leading zeros',
        ).describe("The environment's AWS account, quoted; the provider refuses any other."),
        permissions_boundary: z
          .boolean()
          .default(false)
          .describe(
            "Cap every IAM role of the environment with the permissions boundary the CI bootstrap creates (<project>-<environment>-boundary).",
          ),
        accept_unlisted_region: z
          .boolean()
          .default(false)
          .describe(
            "Accept an aws.region or state.region newer than lakestack's list of regions (loader/regions.ts); it must still look like one.",
          ),
      })
      .superRefine((aws, ctx) => {
        const problem = regionProblem(aws.region, aws.accept_unlisted_region);
        if (problem) ctx.addIssue({ code: "custom", path: ["region"], message: problem });
      })
      .describe("The AWS account and region of the environment."),
    databricks: z
      .strictObject({
        host: text()
          .superRefine((host, ctx) => {
            const problem = workspaceHostProblem(host);
            if (problem) ctx.addIssue({ code: "custom", message: problem, params: { showValue: true } });
          })
          .describe(
            "Workspace URL, https://<workspace>.cloud.databricks.com (Databricks on AWS). Credentials come from the environment, never from YAML.",
          ),
        run_as: z
          .strictObject({
            service_principal: pattern(
              UUID,
              "must be a service principal's application id, a UUID such as 6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13",
            )
              .optional()
              .describe("Service principal application id (a UUID)."),
            user: email()
              .optional()
              .describe("User e-mail (development only: production runs as a service principal)."),
          })
          .refine((r) => (r.service_principal === undefined) !== (r.user === undefined), {
            message: "name exactly one of service_principal or user",
          })
          .optional()
          .describe("Who the pipeline and jobs run as. Default: whoever deploys."),
      })
      .describe("The Databricks workspace of the environment."),
    state: state.describe("Where Terraform keeps the environment's state."),
    tags: tagMap().default({}).describe("Extra tags on every AWS resource."),
    stream: stream
      .default(() => stream.parse({}))
      .describe("The Kinesis data stream every event goes through."),
    browser_ingest: browserIngest
      .default(() => browserIngest.parse({}))
      .describe("The seismograph page: phones write to the stream as Cognito guests."),
    http_ingest: httpIngest
      .default(() => httpIngest.parse({}))
      .describe("The HTTP API and Lambda function devices post events to."),
    contract: contract
      .default(() => contract.parse({}))
      .describe("Bounds every event must keep, checked by the ingest function and by the pipeline."),
    alarms: alarms
      .default(() => alarms.parse({}))
      .describe("CloudWatch alarms, the quarantine alert and who hears them (on by default in production)."),
    lake: lake
      .default(() => lake.parse({}))
      .describe("The private S3 bucket under the catalog: raw/, processed/ and curated/."),
    unity_catalog: unityCatalog
      .default(() => unityCatalog.parse({}))
      .describe("The environment's Unity Catalog catalog, schema and grants."),
    pipeline: pipeline
      .default(() => pipeline.parse({}))
      .describe("The Delta Live Tables pipeline from Kinesis into the schema (continuous in production)."),
    jobs: namedMap(
      pattern(
        /^[a-z][a-z0-9_]{0,63}$/,
        "job names are lowercase letters, digits and _, starting with a letter",
      ),
      job,
      { entry: "job", keyedBy: "its name", listKeys: ["key"] },
    )
      .prefault({})
      .describe(
        "Workflows jobs on serverless compute, keyed by name; the Databricks job is <project>-<environment>-<name>.",
      ),
    warehouse: warehouse.default(() => warehouse.parse({})).describe("The serverless SQL warehouse."),
    sharing: sharing.default(() => sharing.parse({})).describe("Delta Sharing of the schema with partners."),
    waivers: namedMap(
      pattern(/^[a-z0-9][a-z0-9_-]{0,63}$/, "waiver names are lowercase letters, digits, _ and -"),
      waiver,
      { entry: "waiver", keyedBy: "a short name you choose", listKeys: [] },
    )
      .prefault({})
      .describe(
        "Policy findings acknowledged on purpose, keyed by a short name you choose, each with its reason (docs/policy.md).",
      ),
    cost: cost
      .prefault({})
      .describe("Usage assumptions and negotiated rates for `lakestack cost` (docs/cost.md)."),
  })
  .superRefine((c, ctx) => {
    if (c.mode === "production" && c.lake.force_destroy) {
      ctx.addIssue({
        code: "custom",
        path: ["lake", "force_destroy"],
        message:
          "production never force-destroys the data lake: remove force_destroy or use mode: development",
      });
    }
    if (c.browser_ingest.enabled && c.browser_ingest.transport === "http" && !c.http_ingest.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["browser_ingest", "transport"],
        message:
          "transport http posts to the HTTP ingest: set http_ingest.enabled: true, or transport: kinesis",
      });
    }
    if (c.state.region !== undefined) {
      const problem = regionProblem(c.state.region, c.aws.accept_unlisted_region);
      if (problem) ctx.addIssue({ code: "custom", path: ["state", "region"], message: problem });
    }
    for (const [jobKey, job] of Object.entries(c.jobs)) {
      for (const [taskKey, task] of Object.entries(job.tasks)) {
        const at = ["jobs", jobKey, "tasks", taskKey];
        if (c.mode === "production" && task.pipeline_refresh) {
          ctx.addIssue({
            code: "custom",
            path: [...at, "pipeline_refresh"],
            message:
              "production runs the pipeline continuously; a refresh task only fits triggered (development) pipelines",
          });
        }
        if (task.sql_file !== undefined && !c.warehouse.enabled) {
          ctx.addIssue({
            code: "custom",
            path: [...at, "sql_file"],
            message:
              "a SQL file task runs on the environment's SQL warehouse, which warehouse.enabled: false turns off",
          });
        }
      }
    }
    const unknownKeys = (given: string[], known: string[], path: string[], what: string) => {
      for (const key of given.filter((k) => !known.includes(k))) {
        const hint = closest(key, known);
        ctx.addIssue({
          code: "custom",
          path: [...path, key],
          message: hint
            ? `no ${what} '${key}'; did you mean '${hint}'?`
            : `no ${what} '${key}' (${what}s: ${known.join(", ") || "none"})`,
        });
      }
    };
    unknownKeys(Object.keys(c.cost.jobs), jobKeysOf(c), ["cost", "jobs"], "job");
    unknownKeys(
      Object.keys(c.cost.sharing.recipients),
      recipientNamesOf(c),
      ["cost", "sharing", "recipients"],
      "recipient",
    );
    const peak = c.stream.capacity?.peak_events_per_second;
    if (peak !== undefined && (c.cost.average_events_per_second ?? 0) > peak) {
      ctx.addIssue({
        code: "custom",
        path: ["cost", "average_events_per_second"],
        message: `an average above the peak (stream.capacity.peak_events_per_second: ${peak}) cannot be: lower it or raise the peak`,
      });
    }
  });

/** The validated environment, defaults applied. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;

/** The editor schema: every file is a fragment (base + environment merge), so nothing is required. */
export function editorJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(environmentSchema, {
    target: "draft-07",
    io: "input",
    unrepresentable: "any",
  });
  return {
    ...dropRequired(schema),
    $id: "https://lakestack.dev/schema/environment.json",
    title: "lakestack environment",
    description: "config/base.yaml and one config/<environment>.yaml per environment, merged.",
  };
}

function dropRequired(node: unknown): Record<string, unknown> {
  if (Array.isArray(node)) return node.map(dropRequired) as unknown as Record<string, unknown>;
  if (node === null || typeof node !== "object") return node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "required") continue;
    out[key] =
      key === "properties" || key === "definitions" ? mapValues(value, dropRequired) : dropRequired(value);
  }
  return out;
}

function mapValues(obj: unknown, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k, fn(v)]));
}
