import { AlertV2 } from "@cdktf/provider-databricks/lib/alert-v2";
import { NotificationDestination } from "@cdktf/provider-databricks/lib/notification-destination";
import { Construct } from "constructs";

export interface QuarantineAlertProps {
  /** Name of the alert and of its e-mail destination, e.g. `seismo-prod-quarantine`. */
  readonly name: string;
  /** The serverless SQL warehouse that runs the alert's query. */
  readonly warehouseId: string;
  /** `<catalog>.<schema>.sensor`: the events that kept the contract. */
  readonly acceptedTable: string;
  /** `<catalog>.<schema>_quarantine.events_quarantine`: the ones that did not. */
  readonly quarantineTable: string;
  /** Alert when more than this percentage of the window's records were quarantined. */
  readonly percent: number;
  /**
   * When it runs, as a Quartz cron in UTC. Each run wakes the warehouse for its auto-stop minutes, so
   * this decides most of the alert's cost.
   */
  readonly schedule: string;
  /** Hours of events each run counts. */
  readonly windowHours: number;
  /** Who hears about it: an e-mail destination, so they need no workspace account. */
  readonly emails: readonly string[];
}

/**
 * The quarantine rate as an alarm: a Databricks SQL alert over the pipeline's own tables, since the
 * records are checked in the pipeline, out of CloudWatch's sight. It runs on the SQL warehouse.
 */
export class QuarantineAlert extends Construct {
  readonly alert: AlertV2;

  constructor(scope: Construct, id: string, props: QuarantineAlertProps) {
    super(scope, id);
    const destination = new NotificationDestination(this, "destination", {
      displayName: `${props.name} on-call`,
      config: { email: { addresses: [...props.emails] } },
    });
    const hours = props.windowHours;
    const inWindow = (table: string) =>
      `(SELECT count(*) FROM ${table} WHERE arrived_at > current_timestamp() - INTERVAL ${hours} HOURS)`;
    this.alert = new AlertV2(this, "alert", {
      displayName: props.name,
      warehouseId: props.warehouseId,
      queryText: [
        "SELECT coalesce(100.0 * quarantined / nullif(quarantined + accepted, 0), 0) AS quarantined_percent",
        `FROM (SELECT ${inWindow(props.quarantineTable)} AS quarantined, ${inWindow(props.acceptedTable)} AS accepted)`,
      ].join("\n"),
      customSummary: `More than ${props.percent}% of the last ${hours} hour(s)' events broke the event contract`,
      evaluation: {
        source: { name: "quarantined_percent", display: "quarantined %" },
        comparisonOperator: "GREATER_THAN",
        threshold: { value: { doubleValue: props.percent } },
        // Before the pipeline's first update the tables do not exist yet: that is not an incident.
        emptyResultState: "OK",
        notification: { notifyOnOk: true, subscriptions: [{ destinationId: destination.id }] },
      },
      schedule: {
        quartzCronSchedule: props.schedule,
        timezoneId: "UTC",
        pauseStatus: "UNPAUSED",
      },
    });
  }
}
