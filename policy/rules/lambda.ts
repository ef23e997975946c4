import { block, type SynthesizedResource } from "../resources";
import type { PolicyContext, Rule } from "../rule";

/** Node.js runtimes Lambda still patches; the ingest function is built for them. */
// nodejs20.x reached its end of life in April 2026.
export const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;

export const supportedRuntime: Rule = {
  id: "LS-LAM-1",
  severity: "error",
  title: `Every Lambda function runs on a supported Node.js runtime (${SUPPORTED_RUNTIMES.join(", ")}).`,
  why: "Deprecated runtimes stop receiving security patches, then block updates to the function.",
  fix: `Set runtime to ${SUPPORTED_RUNTIMES[SUPPORTED_RUNTIMES.length - 1]}.`,
  check: ({ resources }) =>
    resources
      .ofType("aws_lambda_function")
      .filter((f) => f.config.package_type !== "Image")
      .filter((f) => !(SUPPORTED_RUNTIMES as readonly unknown[]).includes(f.config.runtime))
      .map((f) => ({ resource: f.address, message: `runs on ${String(f.config.runtime ?? "no runtime")}` })),
};

/** The log group a function writes to: the one its logging_config names, else Lambda's default name. */
function logGroupOf(context: PolicyContext, fn: SynthesizedResource): SynthesizedResource | undefined {
  const { resources } = context;
  const configured = block(fn.config.logging_config)?.log_group;
  const name = configured ?? `/aws/lambda/${String(fn.config.function_name)}`;
  return (
    resources.referenced(name) ??
    resources.ofType("aws_cloudwatch_log_group").find((g) => g.config.name === name)
  );
}

export const logRetention: Rule = {
  id: "LS-LAM-2",
  severity: "error",
  title: "Every Lambda function's log group is in the stack with a retention period.",
  why: "A log group Lambda creates on its own keeps logs (and any data they quote) forever, outside Terraform.",
  fix: "Add an aws_cloudwatch_log_group named /aws/lambda/<function> (or referenced by logging_config) with retention_in_days.",
  check: (context) =>
    context.resources.ofType("aws_lambda_function").flatMap((fn) => {
      const group = logGroupOf(context, fn);
      if (!group) return [{ resource: fn.address, message: "has no log group in the stack" }];
      const days = group.config.retention_in_days;
      return typeof days === "number" && days > 0
        ? []
        : [{ resource: fn.address, message: `logs to ${group.address}, which keeps logs forever` }];
    }),
};

export const LAMBDA_RULES: readonly Rule[] = [supportedRuntime, logRetention];
