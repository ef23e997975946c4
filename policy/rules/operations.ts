import { alarmsEnabled } from "../../loader/alarms";
import { isProduction, type Rule } from "../rule";

export const productionAlarms: Rule = {
  id: "LS-OPS-1",
  severity: "error",
  title: "Production: CloudWatch alarms notify at least one on-call e-mail address.",
  why: "A streaming system nobody watches loses data quietly: a stalled pipeline, throttled writes and a failing ingest are only found when the stream has expired them.",
  fix: "Keep alarms on in production (alarms.enabled defaults to true there) and list the on-call addresses under alarms.emails.",
  check: (context) => {
    if (!isProduction(context)) return [];
    const { resources, environment } = context;
    const alarms = resources.ofType("aws_cloudwatch_metric_alarm");
    const emails = resources
      .ofType("aws_sns_topic_subscription")
      .filter((s) => s.config.protocol === "email");
    if (alarms.length === 0) {
      const off = !alarmsEnabled(environment.config);
      return [
        {
          resource: "alarms",
          message: off ? "alarms are turned off in production" : "production has no alarms",
          path: off ? ["alarms", "enabled"] : ["alarms"],
        },
      ];
    }
    if (emails.length === 0) {
      return [{ resource: "alarms.emails", message: "alarms notify nobody", path: ["alarms", "emails"] }];
    }
    return [];
  },
};

export const OPERATIONS_RULES: readonly Rule[] = [productionAlarms];
