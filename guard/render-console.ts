/** The terminal summary: one headline, one line per finding, then warnings. No attribute values. */
import type { Finding, GuardReport } from "./analyze";
import { plainText } from "./text";

function headline(report: GuardReport): string {
  const { add, change, replace, destroy, import: imported, forget } = report.counts;
  const where = report.env ? ` [${plainText(report.env)}]` : "";
  return (
    `lakestack guard${where}: ${report.verdict.toUpperCase()}: ${add} to add, ${change} to change, ` +
    `${replace} to replace, ${destroy} to destroy, ${imported} to import, ${forget} to forget`
  );
}

function findingLine(status: string, finding: Finding): string {
  const facts = [
    finding.holdsData ? "holds data" : "",
    finding.deposed ? `deposed ${plainText(finding.deposed)}` : "",
    finding.importing ? "import" : "",
    finding.reason ? plainText(finding.reason) : "",
    ...finding.risks,
    finding.replacePaths.length > 0 ? `forced by: ${finding.replacePaths.map(plainText).join(", ")}` : "",
  ].filter((fact) => fact !== "");
  const suffix = facts.length > 0 ? ` (${facts.join("; ")})` : "";
  return `  ${status.padEnd(8)} ${finding.action}: ${plainText(finding.address)}${suffix}`;
}

export function renderConsole(report: GuardReport): string {
  const lines = [
    headline(report),
    ...report.destructive.map((change) => findingLine(change.allowed ? "allowed" : "BLOCKED", change)),
    ...report.review.map((finding) => findingLine("review", finding)),
    ...report.unusedAllows.map(
      (address) =>
        `  warning: the allow for ${plainText(address)} matches no destructive change in this plan; remove it if it is stale`,
    ),
    ...(report.driftCount > 0
      ? [`  warning: ${report.driftCount} resource(s) changed outside Terraform since the last apply`]
      : []),
    ...(report.deferredCount > 0
      ? [`  note: ${report.deferredCount} change(s) deferred to a later plan`]
      : []),
    ...(report.verdict === "blocked"
      ? ["  to accept a reviewed change: --allow <address> or LAKESTACK_GUARD_ALLOW=<address>"]
      : []),
  ];
  return `${lines.join("\n")}\n`;
}
