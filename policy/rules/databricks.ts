import { block, blocks } from "../resources";
import { isProduction, type Rule } from "../rule";

export const warehouseAutoStop: Rule = {
  id: "LS-DBX-1",
  severity: "error",
  title: "Every SQL warehouse stops itself when idle (auto_stop_mins > 0).",
  why: "With auto-stop at 0 an idle warehouse runs, and bills, until someone notices.",
  fix: "Set warehouse.auto_stop_minutes to the idle minutes after which it stops (e.g. 10).",
  check: ({ resources }) =>
    resources
      .ofType("databricks_sql_endpoint")
      .filter((w) => typeof w.config.auto_stop_mins === "number" && w.config.auto_stop_mins <= 0)
      .map((w) => ({
        resource: w.address,
        message: "never stops when idle (auto_stop_mins is 0)",
        path: ["warehouse", "auto_stop_minutes"],
      })),
};

export const tokenRecipientsRestricted: Rule = {
  id: "LS-DBX-2",
  severity: "error",
  title: "Production: every token (open sharing) recipient has an IP access list.",
  why: "A leaked credential file otherwise reads the share from anywhere on the internet.",
  fix: "Add ip_access_list: [<partner CIDRs>] to the recipient, or share Databricks-to-Databricks (auth: databricks).",
  check: (context) => {
    if (!isProduction(context)) return [];
    const recipients = context.environment.config.sharing.recipients;
    const configured = (name: unknown) => typeof name === "string" && Object.hasOwn(recipients, name);
    return context.resources
      .ofType("databricks_recipient")
      .filter((r) => r.config.authentication_type === "TOKEN")
      .filter((r) =>
        blocks(r.config.ip_access_list).every(
          (l) => !Array.isArray(l.allowed_ip_addresses) || l.allowed_ip_addresses.length === 0,
        ),
      )
      .map((r) => ({
        resource: r.address,
        message: `token recipient '${String(r.config.name)}' can use its credential from any address`,
        path: configured(r.config.name) ? ["sharing", "recipients", String(r.config.name)] : undefined,
      }));
  },
};

export const runsAsServicePrincipal: Rule = {
  id: "LS-DBX-3",
  severity: "error",
  title: "Production: pipelines and jobs run as a service principal.",
  why: "Run as a person, they stop when that person leaves, and run with everything that person may do.",
  fix: "Set databricks.run_as.service_principal to the service principal's application id.",
  check: (context) => {
    if (!isProduction(context)) return [];
    return ["databricks_pipeline", "databricks_job"]
      .flatMap((type) => context.resources.ofType(type))
      .filter((r) => typeof block(r.config.run_as)?.service_principal_name !== "string")
      .map((r) => ({
        resource: r.address,
        message: block(r.config.run_as)?.user_name
          ? `runs as the user ${String(block(r.config.run_as)?.user_name)}`
          : "runs as whoever deploys it",
        path: ["databricks", "run_as"],
      }));
  },
};

export const schedulesOnPurpose: Rule = {
  id: "LS-DBX-4",
  severity: "warning",
  title: "Production: a job's schedule runs unpaused only when its YAML says so (schedule.paused: false).",
  why: "Unpaused is the default, so copying a job into a production file would start it without anyone deciding to.",
  fix: "Set schedule.paused: false to run it, or true to deploy it paused.",
  check: (context) => {
    if (!isProduction(context)) return [];
    const { config, names } = context.environment;
    return context.resources
      .ofType("databricks_job")
      .filter((job) => block(job.config.schedule)?.pause_status === "UNPAUSED")
      .flatMap((job) => {
        const key = Object.keys(config.jobs).find((k) => names.job(k) === job.config.name);
        const path = key !== undefined ? ["jobs", key, "schedule"] : undefined;
        if (path && context.environment.isSet([...path, "paused"])) return [];
        return [
          { resource: job.address, message: "runs on its schedule without paused: false in its YAML", path },
        ];
      });
  },
};

export const DATABRICKS_RULES: readonly Rule[] = [
  warehouseAutoStop,
  tokenRecipientsRestricted,
  runsAsServicePrincipal,
  schedulesOnPurpose,
];
