import { block, type SynthesizedResource } from "../resources";
import { isProduction, type PolicyContext, type Rule } from "../rule";
import { isDeclaredSite } from "./s3";

/** Resources whose destruction loses data or credentials that cannot be recreated as they were. */
export const STATEFUL_TYPES = [
  "aws_kinesis_stream",
  "aws_s3_bucket",
  "databricks_catalog",
  "databricks_schema",
  "databricks_pipeline",
  "databricks_share",
  "databricks_recipient",
] as const;

/** The site bucket holds only build output that every deploy rewrites. */
function statefulResources(context: PolicyContext): SynthesizedResource[] {
  return STATEFUL_TYPES.flatMap((type) => context.resources.ofType(type)).filter(
    (r) => r.type !== "aws_s3_bucket" || !isDeclaredSite(context, r),
  );
}

export const preventDestroy: Rule = {
  id: "LS-DATA-1",
  severity: "error",
  title: `Production: stateful resources (${STATEFUL_TYPES.join(", ")}; not the site bucket) carry lifecycle.prevent_destroy.`,
  why: "A replacement planned by a rename or a provider change would otherwise delete the data without stopping.",
  fix: "Construct the resource with lifecycle: { preventDestroy: true } in production (the module's protect prop).",
  check: (context) =>
    isProduction(context)
      ? statefulResources(context)
          .filter((r) => block(r.config.lifecycle)?.prevent_destroy !== true)
          .map((r) => ({
            resource: r.address,
            message: "can be destroyed: lifecycle.prevent_destroy is not set",
          }))
      : [],
};

const FORCE_DESTROYABLE = ["aws_s3_bucket", "databricks_catalog", "databricks_schema"] as const;

export const noForceDestroy: Rule = {
  id: "LS-DATA-2",
  severity: "error",
  title: "Production: no bucket, catalog or schema sets force_destroy.",
  why: "force_destroy lets a destroy or replacement empty a non-empty bucket, catalog or schema.",
  fix: "Remove force_destroy (lake.force_destroy is for development environments only).",
  check: (context) => {
    if (!isProduction(context)) return [];
    const lakeBucket = context.environment.names.lakeBucket;
    return FORCE_DESTROYABLE.flatMap((type) => context.resources.ofType(type))
      .filter((r) => r.config.force_destroy === true)
      .map((r) => ({
        resource: r.address,
        message: "sets force_destroy: destroying it deletes everything inside",
        path:
          r.type === "aws_s3_bucket" && r.config.bucket === lakeBucket
            ? ["lake", "force_destroy"]
            : undefined,
      }));
  },
};

export const DATA_PROTECTION_RULES: readonly Rule[] = [preventDestroy, noForceDestroy];
