/**
 * The price table `lakestack cost` multiplies usage by: cost/prices.yaml, read with the config loader's
 * caps and positions, so a malformed entry is reported at file:line:col like a config error.
 *
 * Every price names its source and the day it was read; a price no public source found states is an
 * `unknown` entry with the reason, and the estimate carries that reason instead of a number.
 */
import { join, relative } from "node:path";
import { z } from "zod";
import { ConfigError, dottedPath, type Diagnostic } from "../loader/diagnostics";
import { readYamlFile, type ParsedFile } from "../loader/load";
import { text, WAREHOUSE_SIZES } from "../loader/schema";
import { REPO_ROOT } from "../paths";

export const DEFAULT_PRICE_FILE = join(REPO_ROOT, "cost", "prices.yaml");

/** Every price the model uses, with the unit the file must state for it (a guard against misreading). */
const PRICE_UNITS = {
  kinesis_on_demand_stream_hour: "stream-hour",
  kinesis_on_demand_ingest_gb: "GB",
  kinesis_on_demand_retrieval_gb: "GB",
  kinesis_on_demand_extended_retention_gb_month: "GB-month",
  kinesis_long_term_retention_gb_month: "GB-month",
  kinesis_shard_hour: "shard-hour",
  kinesis_put_payload_units_million: "million PUT payload units",
  kinesis_extended_retention_shard_hour: "shard-hour",
  cloudwatch_metric_month: "metric-month",
  lambda_requests_million: "million requests",
  lambda_gb_second_arm64: "GB-second",
  lambda_gb_second_x86_64: "GB-second",
  apigateway_http_requests_million: "million requests",
  s3_standard_gb_month: "GB-month",
  s3_put_requests_thousand: "1,000 requests",
  s3_get_requests_thousand: "1,000 requests",
  s3_transfer_out_gb: "GB",
  cloudfront_https_requests_10k: "10,000 requests",
  cloudfront_transfer_out_gb: "GB",
  logs_ingest_gb: "GB",
  logs_storage_gb_month: "GB-month",
  cloudwatch_alarm_month: "alarm-month",
  sns_requests_million: "million requests",
  kms_key_month: "key-month",
  kms_requests_10k: "10,000 requests",
  databricks_serverless_sql_dbu: "DBU",
  databricks_serverless_pipelines_dbu: "DBU",
  databricks_serverless_jobs_dbu: "DBU",
} as const;

export type PriceKey = keyof typeof PRICE_UNITS;

export interface PriceSource {
  readonly id: string;
  readonly url: string;
  /** The day the number was read from the source, YYYY-MM-DD. */
  readonly read: string;
  readonly about: string;
}

/** A price as the model uses it: known, with where it comes from, or unknown, with why. */
export type Price =
  | {
      readonly known: true;
      readonly usd: number;
      readonly unit: string;
      readonly source: PriceSource;
      readonly note?: string;
    }
  | { readonly known: false; readonly unit: string; readonly reason: string };

export type SizeRate =
  | { readonly known: true; readonly dbu: number; readonly source: PriceSource }
  | { readonly known: false; readonly reason: string };

export interface PriceBook {
  /** The file, relative to the working directory. */
  readonly file: string;
  readonly sources: readonly PriceSource[];
  price(key: PriceKey, region: string): Price;
  /** DBUs per hour of one cluster of a serverless SQL warehouse of this size. */
  warehouseDbuPerHour(size: string): SizeRate;
}

const REGION = /^([a-z]{2}(-gov)?-[a-z]+-\d)$/;

const isoDate = () =>
  text()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "a date as YYYY-MM-DD, quoted" })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { message: "not a calendar date" });

/** Either a number with its source, or `unknown` with the reason: never both, never neither. */
function entry(valueKey: "usd" | "dbu"): z.ZodType<RawEntry> {
  return z
    .strictObject({
      [valueKey]: z.number().min(0).optional(),
      source: text().optional(),
      note: text().optional(),
      unknown: text().min(10).optional(),
    })
    .superRefine((e: RawEntry, ctx) => {
      const known = e[valueKey] !== undefined || e.source !== undefined;
      if (known === (e.unknown !== undefined)) {
        ctx.addIssue({
          code: "custom",
          message: `give either ${valueKey} with its source, or unknown with the reason why no source states it`,
        });
      } else if (known && (e[valueKey] === undefined || e.source === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: [e.source === undefined ? "source" : valueKey],
          message: `a price needs both ${valueKey} and source`,
        });
      }
    }) as unknown as z.ZodType<RawEntry>;
}

const priceFileSchema = z
  .strictObject({
    currency: z.literal("USD"),
    sources: z.record(
      text().regex(/^[a-z0-9][a-z0-9-]*$/, { message: "source ids are lowercase letters, digits and -" }),
      z.strictObject({
        url: text().regex(/^https:\/\/\S+$/, { message: "an https:// address" }),
        read: isoDate(),
        about: text().min(10),
      }),
    ),
    prices: z.strictObject(
      Object.fromEntries(
        Object.entries(PRICE_UNITS).map(([key, unit]) => [
          key,
          z.strictObject({
            unit: z.literal(unit, { message: `the unit of ${key} is '${unit}'` }),
            regions: z.record(
              text().regex(REGION, { message: "an AWS region such as eu-west-1" }),
              entry("usd"),
            ),
          }),
        ]),
      ) as unknown as Record<PriceKey, z.ZodType>,
    ),
    warehouse_dbu_per_hour: z.strictObject(
      Object.fromEntries(WAREHOUSE_SIZES.map((size) => [size, entry("dbu")])) as Record<string, z.ZodType>,
    ),
  })
  .superRefine((file, ctx) => {
    // Every source a price names must exist.
    const check = (value: unknown, path: PropertyKey[]) => {
      const id = (value as { source?: string }).source;
      if (id !== undefined && !Object.hasOwn(file.sources, id)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "source"],
          message: `no source '${id}' under sources (sources: ${Object.keys(file.sources).join(", ")})`,
        });
      }
    };
    for (const [key, price] of Object.entries(
      file.prices as Record<string, { regions: Record<string, unknown> }>,
    )) {
      for (const [region, value] of Object.entries(price.regions))
        check(value, ["prices", key, "regions", region]);
    }
    for (const [size, value] of Object.entries(file.warehouse_dbu_per_hour)) {
      check(value, ["warehouse_dbu_per_hour", size]);
    }
  });

type PriceFile = {
  sources: Record<string, Omit<PriceSource, "id">>;
  prices: Record<PriceKey, { unit: string; regions: Record<string, RawEntry> }>;
  warehouse_dbu_per_hour: Record<string, RawEntry>;
};
type RawEntry = { usd?: number; dbu?: number; source?: string; note?: string; unknown?: string };

/** Reads and checks a price file; a missing or malformed file is a ConfigError at file:line:col. */
export function loadPriceBook(path: string = DEFAULT_PRICE_FILE): PriceBook {
  const parsed = readYamlFile(path);
  if (parsed.diagnostics.length > 0) throw new ConfigError(parsed.diagnostics);
  const result = priceFileSchema.safeParse(parsed.value);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => diagnostic(parsed, issue)));
  return priceBook(relative(process.cwd(), path) || path, result.data as unknown as PriceFile);
}

function diagnostic(file: ParsedFile, issue: z.core.$ZodIssue): Diagnostic {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return {
      ...file.position(path, key),
      path: dottedPath([...path, key]),
      message: `unknown key '${key}'${issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : ""}`,
    };
  }
  const missing = issue.code === "invalid_type" && !file.has(path);
  return {
    ...file.position(path),
    path: dottedPath(path),
    message: missing ? "is required" : issue.message,
  };
}

function priceBook(file: string, data: PriceFile): PriceBook {
  const sources = new Map(Object.entries(data.sources).map(([id, s]) => [id, { id, ...s }]));
  return {
    file,
    sources: [...sources.values()],
    price(key, region) {
      const { unit, regions } = data.prices[key];
      const entry = Object.hasOwn(regions, region) ? regions[region] : undefined;
      if (!entry) {
        return {
          known: false,
          unit,
          reason: `${file} has no ${key} price for ${region} (it has ${Object.keys(regions).join(", ")})`,
        };
      }
      if (entry.unknown !== undefined) return { known: false, unit, reason: entry.unknown };
      return { known: true, usd: entry.usd!, unit, source: sources.get(entry.source!)!, note: entry.note };
    },
    warehouseDbuPerHour(size) {
      const entry = Object.hasOwn(data.warehouse_dbu_per_hour, size)
        ? data.warehouse_dbu_per_hour[size]
        : undefined;
      if (!entry) return { known: false, reason: `${file} has no warehouse size '${size}'` };
      if (entry.unknown !== undefined) return { known: false, reason: entry.unknown };
      return { known: true, dbu: entry.dbu!, source: sources.get(entry.source!)! };
    },
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Sources read more than `maxAgeDays` before `today`, with their age in days, oldest first. */
export function staleSources(
  sources: Iterable<PriceSource>,
  maxAgeDays: number,
  today: Date = new Date(),
): { source: PriceSource; ageDays: number }[] {
  const unique = new Map([...sources].map((s) => [s.id, s]));
  return [...unique.values()]
    .map((source) => ({
      source,
      ageDays: Math.floor((today.getTime() - Date.parse(`${source.read}T00:00:00Z`)) / DAY_MS),
    }))
    .filter((s) => s.ageDays > maxAgeDays)
    .sort((a, b) => b.ageDays - a.ageDays);
}
