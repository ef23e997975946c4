/**
 * Estimates and changes as people read them: a console table, Markdown for a pull request, and the
 * reference environments' totals for docs/cost.md. Numbers are rounded here only.
 */
import type { MarkedBlock } from "../views/markers";
import { textTable } from "../views/text-table";
import type { EnvironmentChange } from "./compare";
import type { CostLine, Estimate, Totals } from "./estimate";

export const COST_TOTALS_MARKERS: MarkedBlock = {
  start: "<!-- cost:reference-totals:start -->",
  end: "<!-- cost:reference-totals:end -->",
};

/** USD with cents; a sliver above zero shows as such rather than as $0.00. */
function money(usd: number): string {
  if (usd > 0 && usd < 0.005) return "< $0.01";
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function signedMoney(usd: number): string {
  if (Math.abs(usd) < 0.005) return "$0.00";
  return `${usd > 0 ? "+" : "-"}${money(Math.abs(usd))}`;
}

function quantity(n: number): string {
  if (n === 0) return "0";
  if (Math.abs(n) >= 1000) return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return n.toLocaleString("en-US", { maximumSignificantDigits: 4 });
}

const unitPrice = (usd: number) =>
  `$${
    usd >= 0.01
      ? usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 })
      : usd.toLocaleString("en-US", { maximumSignificantDigits: 6 })
  }`;

function monthly(line: CostLine): string {
  if (line.monthly !== null) return money(line.monthly);
  return line.unknown?.kind === "price" ? "unknown price" : "depends on usage";
}

/** Numbered notes: the assumptions first, then each distinct reason a number is missing. */
function notesOf(estimate: Estimate) {
  const numbers = new Map<string, number>();
  const notes: string[] = [];
  const note = (key: string, text: string) => {
    if (!numbers.has(key)) {
      numbers.set(key, notes.length + 1);
      notes.push(text);
    }
    return numbers.get(key)!;
  };
  for (const a of estimate.assumptions) note(`a:${a.id}`, `assumes ${a.id}: ${a.text}`);
  const refs = (line: CostLine) => [
    ...line.assumptions.map((id) => numbers.get(`a:${id}`)!),
    ...(line.unknown
      ? [
          note(
            `u:${line.unknown.kind}:${line.unknown.reason}`,
            `${line.unknown.kind === "price" ? "unknown price" : "depends on usage"}: ${line.unknown.reason}`,
          ),
        ]
      : []),
  ];
  const rows = estimate.lines.map((line) => ({ line, refs: refs(line) }));
  return { rows, notes };
}

function totalsSentence(totals: Totals): string {
  const left =
    totals.unknownLines > 0
      ? `, leaving out ${totals.unknownLines} line${totals.unknownLines === 1 ? "" : "s"} whose cost is unknown`
      : "";
  return `AWS ${money(totals.aws)} · Databricks ${money(totals.databricks)} · total ${money(totals.total)} a month${left}`;
}

const HEADER = ["resource", "component", "quantity", "unit", "unit price", "monthly", "notes"];

function cells(line: CostLine, refs: number[]): string[] {
  return [
    line.address,
    line.component,
    line.quantity === null ? "?" : quantity(line.quantity),
    line.unit,
    line.unitPrice === null ? "?" : unitPrice(line.unitPrice),
    monthly(line),
    refs.join(","),
  ];
}

/** One environment as a console table with its notes. */
export function renderEstimate(estimate: Estimate): string {
  const { rows, notes } = notesOf(estimate);
  return [
    `${estimate.env} (${estimate.region})`,
    textTable(
      HEADER.map((h) => h.toUpperCase()),
      rows.map((r) => cells(r.line, r.refs)),
    ),
    "",
    totalsSentence(estimate.totals),
    "",
    "notes:",
    ...notes.map((n, i) => `${String(i + 1).padStart(3)}  ${n}`),
    ...(estimate.noCharge.length
      ? [
          "",
          `${estimate.noCharge.length} resources carry no charge of their own (IAM, grants, notebooks, …).`,
        ]
      : []),
    "",
    "prices from:",
    ...sourceLines(estimate).map((l) => `  ${l}`),
  ].join("\n");
}

/** Where the prices the lines use come from, and when they were read. */
function sourceLines(estimate: Estimate): string[] {
  return estimate.sources.map((s) => `${s.id}, read ${s.read}: ${s.url}`);
}

const mdCell = (text: string) => text.replace(/\|/g, "\\|");

function markdownTable(header: string[], rows: string[][], align: ("l" | "r")[]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${align.map((a) => (a === "r" ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
  ].join("\n");
}

/** One environment as Markdown: the table, the totals and the numbered notes. */
export function renderEstimateMarkdown(estimate: Estimate): string {
  const { rows, notes } = notesOf(estimate);
  return [
    markdownTable(
      HEADER,
      rows.map((r) => {
        const c = cells(r.line, r.refs);
        return [`\`${c[0]}\``, ...c.slice(1)];
      }),
      ["l", "l", "r", "l", "r", "r", "l"],
    ),
    "",
    `**${totalsSentence(estimate.totals)}.**`,
    "",
    ...notes.map((n, i) => `${i + 1}. ${n}`),
    "",
    "Prices from:",
    "",
    ...sourceLines(estimate).map((l) => `- ${l}`),
  ].join("\n");
}

/** The change as a console summary: totals before and after, and every component that moved. */
export function renderChange(change: EnvironmentChange): string {
  const head = change.isNew
    ? `${change.env}: a new environment, ${money(change.after.total)} a month`
    : `${change.env}: ${money(change.before!.total)} → ${money(change.after.total)} a month (${signedMoney(change.change.total)}; AWS ${signedMoney(change.change.aws)}, Databricks ${signedMoney(change.change.databricks)})`;
  if (change.components.length === 0) return `${head}\nno component's cost changed`;
  return [
    head,
    textTable(
      ["RESOURCE", "COMPONENT", "BEFORE", "AFTER", "CHANGE"],
      change.components.map((c) => [c.address, c.component, side(c.before), side(c.after), changeCell(c)]),
    ),
  ].join("\n");
}

const side = (usd: number | null) => (usd === null ? "—" : money(usd));
const changeCell = (c: EnvironmentChange["components"][number]) =>
  c.change === null
    ? "unknown"
    : c.status === "added"
      ? `${signedMoney(c.change)} (new)`
      : signedMoney(c.change);

/**
 * What the pull-request comment shows for an environment: the monthly total, its change against the
 * base, the three components that moved most, and the full estimate folded away.
 */
export function renderChangeMarkdown(change: EnvironmentChange, estimate: Estimate): string {
  const { after } = change;
  const total = `**💰 Estimated monthly cost: ${money(after.total)}** (AWS ${money(after.aws)} · Databricks ${money(after.databricks)})`;
  const delta = change.isNew
    ? "a new environment."
    : `**${signedMoney(change.change.total)}** against the base branch (was ${money(change.before!.total)}).`;
  const unknown =
    after.unknownLines > 0
      ? [
          "",
          `The totals leave out ${after.unknownLines} line${after.unknownLines === 1 ? "" : "s"} whose cost is unknown (no price for ${estimate.region}, or usage the config does not say); the table below says why.`,
        ]
      : [];
  const top = change.components.slice(0, 3);
  const moves =
    top.length === 0
      ? ["", "No component's cost changed."]
      : [
          "",
          markdownTable(
            ["top moves", "before", "after", "change"],
            top.map((c) => [`\`${c.address}\` ${c.component}`, side(c.before), side(c.after), changeCell(c)]),
            ["l", "r", "r", "r"],
          ),
        ];
  return [
    `${total}, ${delta}`,
    ...unknown,
    ...moves,
    "",
    "<details><summary>Every cost line</summary>",
    "",
    renderEstimateMarkdown(estimate),
    "",
    "</details>",
  ].join("\n");
}

/** The reference environments' totals, for the generated block in docs/cost.md. */
export function referenceTotals(estimates: readonly Estimate[]): string {
  return markdownTable(
    ["environment", "region", "AWS", "Databricks", "total", "lines with unknown cost"],
    estimates.map((e) => [
      `\`${e.env}\``,
      e.region,
      money(e.totals.aws),
      money(e.totals.databricks),
      money(e.totals.total),
      String(e.totals.unknownLines),
    ]),
    ["l", "l", "r", "r", "r", "r"],
  );
}

/** The compact cell `lakestack envs` shows: the known total, marked when lines are left out. */
export function totalCell(totals: Totals): string {
  return `${money(totals.total)}${totals.unknownLines > 0 ? ` + ${totals.unknownLines} unknown` : ""}`;
}
