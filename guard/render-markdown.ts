/**
 * The pull-request comment. It names addresses, actions, Terraform's reasons and replace-path names;
 * it never prints attribute values (see risky-updates.ts for the few vetted numbers it may quote).
 */
import type { DestructiveChange, Finding, GuardReport } from "./analyze";
import { markdownCode, markdownText } from "./text";

/** First line of every guard comment, so a CI step can find and update its previous comment. */
export const MARKDOWN_MARKER = "<!-- lakestack-guard -->";

/** GitHub caps a comment at 65,536 characters; longer tables are cut with a count of what is left. */
const MAX_TABLE_ROWS = 50;

const VERDICT_BADGE = { pass: "✅ pass", blocked: "❌ blocked" } as const;

/** Both routes to an allow: CI reads allow-destroy.txt behind a label; a local run takes flags. */
const ALLOW_HINT =
  "To accept a destructive change after reviewing it: in a pull request, add a line " +
  "`<environment> <address>` to `allow-destroy.txt` and have a reviewer add the " +
  "`lakestack:allow-destroy` label; locally, pass `--allow <address>` or set `LAKESTACK_GUARD_ALLOW`.";

function envLabel(report: GuardReport): string {
  return report.env ? markdownText(report.env) : "plan";
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const shown = rows.slice(0, MAX_TABLE_ROWS).map(row);
  const hidden = rows.length - shown.length;
  return [
    row(header),
    row(header.map(() => "---")),
    ...shown,
    ...(hidden > 0 ? ["", `…and ${hidden} more; the workflow log lists them all.`] : []),
  ];
}

function summaryRow(report: GuardReport): string[] {
  const { add, change, replace, destroy, import: imported, forget } = report.counts;
  const counts = [add, change, replace, destroy, imported, forget].map(String);
  return [envLabel(report), ...counts, VERDICT_BADGE[report.verdict]];
}

/** Not-allowed changes first, so a cut table never hides one of them behind allowed ones. */
function blockingFirst(changes: readonly DestructiveChange[]): DestructiveChange[] {
  return [...changes].sort((a, b) => Number(a.allowed) - Number(b.allowed));
}

function addressCell(finding: Finding): string {
  const deposed = finding.deposed ? ` (deposed ${markdownCode(finding.deposed)})` : "";
  const imported = finding.importing ? " · import" : "";
  return `${markdownCode(finding.address)}${deposed}${imported}`;
}

function reasonCell(finding: Finding): string {
  const reason = finding.reason ? [markdownCode(finding.reason)] : [];
  return [...reason, ...finding.risks.map(markdownText)].join("; ");
}

function destructiveRow(change: DestructiveChange): string[] {
  return [
    addressCell(change),
    markdownText(change.action),
    change.holdsData ? "yes" : "",
    reasonCell(change),
    change.replacePaths.map(markdownCode).join(", "),
    change.allowed ? "✅ allowed" : "❌ not allowed",
  ];
}

function reviewRow(finding: Finding): string[] {
  return [addressCell(finding), markdownText(finding.action), finding.holdsData ? "yes" : ""];
}

function notes(report: GuardReport): string[] {
  const label = envLabel(report);
  return [
    ...report.unusedAllows.map(
      (address) =>
        `> ⚠️ ${label}: the allow for ${markdownCode(address)} matches no destructive change in this plan; remove it if it is stale.`,
    ),
    ...(report.driftCount > 0
      ? [`> ⚠️ ${label}: ${report.driftCount} resource(s) changed outside Terraform since the last apply.`]
      : []),
    ...(report.deferredCount > 0
      ? [`> ℹ️ ${label}: ${report.deferredCount} change(s) deferred to a later plan; they are guarded then.`]
      : []),
  ];
}

function details(report: GuardReport): string[] {
  const label = envLabel(report);
  const sections: string[][] = [];
  if (report.destructive.length > 0) {
    sections.push([
      `#### ${label}: destroys or endangers data`,
      "",
      ...table(
        ["address", "action", "holds data", "reason", "replace paths", "allowed"],
        blockingFirst(report.destructive).map(destructiveRow),
      ),
      ...(report.verdict === "blocked" ? ["", ALLOW_HINT] : []),
    ]);
  }
  if (report.review.length > 0) {
    sections.push([
      `#### ${label}: to review (not blocking)`,
      "",
      ...table(["address", "action", "holds data"], report.review.map(reviewRow)),
    ]);
  }
  const reportNotes = notes(report);
  if (reportNotes.length > 0) sections.push(reportNotes);
  return sections.flatMap((section) => ["", ...section]);
}

function footer(reports: readonly GuardReport[]): string {
  const versions = [
    ...new Set(reports.map((r) => `Terraform ${r.terraformVersion}, plan format ${r.formatVersion}`)),
  ];
  return `<sub>${markdownText(versions.join("; "))}. Replacements are counted apart from add and destroy.</sub>`;
}

/** One comment for one or more environments' plans. */
export function renderMarkdown(reports: readonly GuardReport[]): string {
  const blocked = reports.some((report) => report.verdict === "blocked");
  const lines = [
    MARKDOWN_MARKER,
    `### lakestack plan guard: ${VERDICT_BADGE[blocked ? "blocked" : "pass"]}`,
    "",
  ];
  if (reports.length === 0) return [...lines, "No plans were analysed.", ""].join("\n");
  return [
    ...lines,
    ...table(
      ["environment", "add", "change", "replace", "destroy", "import", "forget", "verdict"],
      reports.map(summaryRow),
    ),
    ...reports.flatMap(details),
    "",
    footer(reports),
    "",
  ].join("\n");
}
