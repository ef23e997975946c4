/** The rule catalogue for docs/policy.md, generated from the registry so the two cannot drift apart. */
import type { MarkedBlock } from "../views/markers";
import { CHANGE_RULES, POLICY_RULES, WAIVER_RULE } from "./registry";
import type { RuleInfo } from "./rule";

/** Where docs/policy.md keeps the generated catalogue. */
export const POLICY_MARKERS: MarkedBlock = {
  start: "<!-- policy-catalogue:start -->",
  end: "<!-- policy-catalogue:end -->",
};

/** Rule text as a table cell: Markdown must not read `*` as emphasis or `<function>` as an HTML tag. */
function cell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\*<>]/g, (c) => `\\${c}`)))
    .join("")
    .replace(/\|/g, "\\|");
}

function table(rules: readonly RuleInfo[]): string {
  return [
    "| Rule | Severity | Checks | Why | Fix |",
    "|---|---|---|---|---|",
    ...rules.map(
      (r) => `| \`${r.id}\` | ${r.severity} | ${cell(r.title)} | ${cell(r.why)} | ${cell(r.fix)} |`,
    ),
  ].join("\n");
}

export function policyCatalogue(): string {
  return `${[
    "## Checked at every `synth` and `validate`",
    "",
    "Rules read each environment's synthesized Terraform. An error stops `synth`: nothing is written.",
    "",
    table(POLICY_RULES),
    "",
    "## Checked by `validate --against <git revision | folder>`",
    "",
    "Rules compare each environment with its earlier version. Errors apply to environments that were in",
    "production mode; in development mode the same findings are warnings.",
    "",
    table(Object.values(CHANGE_RULES)),
    "",
    "## Waivers",
    "",
    "A finding that is right by design is acknowledged under `waivers:`, keyed by a short name you choose, in",
    "base.yaml for every environment or in an environment's file. It is then reported as `info` and no longer",
    "fails. `resource` is the Terraform address the finding names (for findings about a YAML value, its dotted",
    "path); `reason` needs at least 10 characters. A waiver that matches nothing in an environment is an error",
    "there: an environment switches an inherited waiver off with `enabled: false`. Waivers of `LS-CHG-*` rules",
    "are matched by `validate --against` only.",
    "",
    "```yaml",
    "waivers:",
    "  site-public-read:",
    "    rule: LS-S3-5",
    "    resource: aws_s3_bucket.browser_site_bucket",
    "    reason: The seismograph page is a public website; the bucket holds only its build output.",
    "```",
    "",
    table([WAIVER_RULE]),
  ].join("\n")}\n`;
}
