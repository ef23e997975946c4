/**
 * `lakestack cost`'s engine: every environment's stack synthesized in memory (nothing is written), read
 * resource by resource into an estimate.
 */
import { statSync } from "node:fs";
import type { Environment } from "../loader/load";
import type { TerraformDocument } from "../policy/resources";
import type { BuildArtifacts } from "../stacks/environment-stack";
import { visitStacks } from "../stacks/in-memory";
import { estimate, type Estimate } from "./estimate";
import type { PriceBook } from "./prices";

export { compareEstimates, type EnvironmentChange } from "./compare";
export { estimate, type CostLine, type Estimate, type Totals } from "./estimate";
export { loadPriceBook, staleSources, type PriceBook } from "./prices";

/** Estimates for the environments as their stacks would deploy now. */
export function estimateEnvironments(
  environments: readonly Environment[],
  prices: PriceBook,
  options: { readonly outDir: string; readonly artifacts: BuildArtifacts },
): Estimate[] {
  const siteBytes = options.artifacts.siteFiles.reduce((sum, f) => sum + statSync(f.path).size, 0);
  return visitStacks(environments, options.outDir, options.artifacts, (stack, environment) =>
    estimate(environment, stack.toTerraform() as TerraformDocument, prices, { siteBytes }),
  );
}
