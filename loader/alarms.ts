/**
 * The alarms an environment gets, with every threshold resolved: YAML's values where it sets them,
 * otherwise defaults derived from the stream's capacity plan.
 */
import type { EnvironmentConfig } from "./schema";

export interface AlarmSettings {
  readonly emails: readonly string[];
  readonly iteratorAgeSeconds: number;
  /** Undefined without a capacity plan and without an explicit value: no traffic alarm. */
  readonly incomingEventsPerSecond?: number;
  readonly throttledRecords: number;
  readonly ingestErrors: number;
  readonly http5xxPercent: number;
  readonly quarantinePercent: number;
  /** When the quarantine alert runs (Quartz cron, UTC) and how many hours each run counts. */
  readonly quarantineCheck: { readonly cron: string; readonly windowHours: number };
}

/** Throttled writes worth waking someone for: 0.1% of five minutes at the planned peak. */
const THROTTLED_SHARE = 0.001;
const FIVE_MINUTES = 300;

/** Whether the environment has alarms: as YAML says, else in production only. */
export function alarmsEnabled(config: EnvironmentConfig): boolean {
  return config.alarms.enabled ?? config.mode === "production";
}

/** The environment's alarm settings, or undefined when it has no alarms. */
export function alarmSettings(config: EnvironmentConfig): AlarmSettings | undefined {
  if (!alarmsEnabled(config)) return undefined;
  const { alarms } = config;
  const peak = config.stream.capacity?.peak_events_per_second;
  return {
    emails: alarms.emails,
    iteratorAgeSeconds: alarms.iterator_age_seconds,
    incomingEventsPerSecond: alarms.incoming_events_per_second ?? peak,
    throttledRecords:
      alarms.throttled_records ??
      (peak === undefined ? 1 : Math.max(1, Math.ceil(peak * FIVE_MINUTES * THROTTLED_SHARE))),
    ingestErrors: alarms.ingest_errors,
    http5xxPercent: alarms.http_5xx_percent,
    quarantinePercent: alarms.quarantine_percent,
    quarantineCheck: {
      cron: alarms.quarantine_check.cron,
      windowHours: alarms.quarantine_check.window_hours,
    },
  };
}
