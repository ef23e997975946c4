import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, formatDiagnostic } from "../loader/diagnostics";
import { loadEnvironments, type Environment } from "../loader/load";
import { compareEstimates, estimateEnvironments, loadPriceBook, staleSources } from "../cost";
import type { Estimate } from "../cost/estimate";
import type { PriceBook } from "../cost/prices";
import {
  COST_TOTALS_MARKERS,
  referenceTotals,
  renderChange,
  renderChangeMarkdown,
  renderEstimate,
  renderEstimateMarkdown,
} from "../cost/render";
import { withBaseline } from "../policy";
import { buildArtifacts } from "../stacks/artifacts";
import { writeMarkedBlock } from "../views/markers";
import { configDirOf, InputError, processOutput, runCommand, type Output } from "./runner";
import { outputFolder } from "./synth";

interface CostOptions {
  readonly env?: string;
  readonly all?: boolean;
  readonly against?: string;
  readonly json?: boolean;
  readonly markdown?: boolean;
  readonly prices?: string;
  readonly maxPriceAge?: number;
  readonly failOnStalePrices?: boolean;
  readonly write?: string;
  readonly config?: string;
}

const EXAMPLES = `
Examples:
  $ lakestack cost --all
  $ lakestack cost --env prod --against origin/main        # what this branch changes, per component
  $ lakestack cost --env dev --against ../old-config --markdown
  $ lakestack cost --all --json | jq '.environments[] | {env, totals}'
  $ lakestack cost --all --write docs/cost.md              # refresh the reference totals block

Prices come from cost/prices.yaml (or --prices); usage from stream.capacity and the cost: section of the
config (docs/cost.md). Lines whose price or usage lakestack does not know say why and stay out of the totals.
With --against, the earlier config (a git revision or a folder) is priced with this version's code.`;

const days = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("expected a number of days.");
  return Number(value);
};

/** `lakestack cost`: the monthly cost of every environment, and what a change does to it. */
export function costCommand(io: Output = processOutput): Command {
  return new Command("cost")
    .description("estimate each environment's monthly AWS and Databricks cost, and what a change does to it")
    .addOption(new Option("-e, --env <name>", "one environment").conflicts("all"))
    .option("-a, --all", "every environment (the default)")
    .option("--against <ref|folder>", "also show the change since a git revision or config folder")
    .addOption(new Option("--json", "print one JSON document on stdout").conflicts(["markdown", "write"]))
    .addOption(new Option("--markdown", "print Markdown (for a pull-request comment)").conflicts("write"))
    .option("--prices <file>", "price file to use (default: cost/prices.yaml of lakestack)")
    .addOption(
      new Option(
        "--max-price-age <days>",
        "warn about prices read longer ago (default: cost.price_max_age_days)",
      ).argParser(days),
    )
    .option("--fail-on-stale-prices", "exit 1 instead of warning when a price is older than allowed")
    .addOption(
      new Option("-w, --write <file>", "update the reference totals block in this Markdown file").conflicts(
        "against",
      ),
    )
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .addHelpText("after", EXAMPLES)
    .action((opts: CostOptions, command: Command) =>
      runCommand(io, { name: "cost", json: opts.json }, () => {
        const configDir = configDirOf(command, opts.config);
        const names = opts.env ? [opts.env] : undefined;
        const prices = loadPriceBook(opts.prices);
        const environments = loadEnvironments(configDir, names);
        const artifacts = buildArtifacts();
        const estimateOf = (envs: readonly Environment[]) =>
          estimateEnvironments(envs, prices, { outDir: outputFolder(), artifacts });
        const estimates = estimateOf(environments);
        /**
         * The earlier config's estimates. One this version cannot read (a key since renamed) still
         * leaves the estimate, without its change, and says why.
         */
        const baselineOf = (against: string) => {
          try {
            return withBaseline(against, configDir, names, estimateOf);
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            const [first] = error.diagnostics;
            io.err(
              `warning: no change to show: ${against} cannot be read as it stands: ${formatDiagnostic(first)}`,
            );
            return undefined;
          }
        };
        const stale = stalePrices(estimates, environments, prices, opts);
        if (stale.length > 0 && opts.failOnStalePrices) throw new InputError(stale.join("; "));
        if (!opts.json) for (const warning of stale) io.err(`warning: ${warning}`);

        const baseline = opts.against ? baselineOf(opts.against) : undefined;
        const changes = baseline
          ? estimates.map((e) =>
              compareEstimates(
                baseline.find((b) => b.env === e.env),
                e,
              ),
            )
          : undefined;

        if (opts.write) {
          const changed = writeMarkedBlock(opts.write, COST_TOTALS_MARKERS, referenceTotals(estimates));
          io.err(changed ? `updated the cost totals in ${opts.write}` : `${opts.write} is up to date`);
          return;
        }
        if (opts.json) {
          io.out(
            JSON.stringify(
              {
                ok: true,
                prices: { file: prices.file, stale },
                environments: estimates.map((e, i) => ({ ...e, change: changes?.[i] })),
              },
              null,
              2,
            ),
          );
          return;
        }
        const sections = estimates.map((e, i) => {
          const change = changes?.[i];
          if (opts.markdown) {
            const body = change ? renderChangeMarkdown(change, e) : renderEstimateMarkdown(e);
            // With --env the reader knows which environment (the pull-request comment heads it itself).
            return opts.env ? body : `### \`${e.env}\` (${e.region})\n\n${body}`;
          }
          return change ? `${renderEstimate(e)}\n\n${renderChange(change)}` : renderEstimate(e);
        });
        io.out(sections.join("\n\n"));
      }),
    );
}

/** Sources the estimates use that were read longer ago than the environment allows. */
function stalePrices(
  estimates: readonly Estimate[],
  environments: readonly Environment[],
  prices: PriceBook,
  opts: CostOptions,
): string[] {
  const messages = new Set<string>();
  estimates.forEach((estimate, i) => {
    const maxAge = opts.maxPriceAge ?? environments[i].config.cost.price_max_age_days;
    for (const { source, ageDays } of staleSources(estimate.sources, maxAge)) {
      messages.add(
        `${prices.file}: prices from ${source.id} were read ${source.read}, ${ageDays} days ago (more than ${maxAge}): check ${source.url}`,
      );
    }
  });
  return [...messages];
}
