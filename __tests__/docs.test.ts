import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatDiagnostic, isError } from "../loader/diagnostics";
import { parse } from "yaml";
import { loadEnvironments, mergeConfig } from "../loader/load";
import { environmentSchema } from "../loader/schema";
import { POLICY_MARKERS } from "../policy";
import { REPO_ROOT } from "../paths";
import { policyCatalogue } from "../policy";
import { buildArtifacts } from "../stacks/artifacts";
import { checkEnvironments } from "../stacks/check";
import { CONFIG_REFERENCE_MARKERS, configReference } from "../views/config-reference";
import { readMarkedBlock } from "../views/markers";
import { CONFIG_DIR, configFolder } from "./helpers";

/** Prettier pads Markdown tables; the words are what must match. */
const words = (markdown: string) =>
  markdown
    .split("\n")
    .map((line) => line.replace(/-{3,}/g, "---").replace(/\s+/g, "").trim())
    .filter(Boolean);

const page = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");

describe("the generated documentation (refresh with `npm run docs`)", () => {
  it("docs/policy.md lists the policy rules as they are", () => {
    expect(words(readMarkedBlock(page("docs/policy.md"), POLICY_MARKERS))).toEqual(words(policyCatalogue()));
  });

  it("docs/configuration.md lists every key as the schema defines it", () => {
    expect(words(readMarkedBlock(page("docs/configuration.md"), CONFIG_REFERENCE_MARKERS))).toEqual(
      words(configReference()),
    );
  });

  it("the configuration reference describes every key", () => {
    const undescribed = configReference()
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .filter((line) => line.split("|")[4].trim() === "")
      .map((line) => line.split("|")[1].trim());
    expect(undescribed).toEqual([]);
  });

  it("shows config only in the shapes the schema reads", () => {
    // base.yaml with the least an environment sets: each example is merged over it.
    const reference = mergeConfig(parse(readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8")), {
      mode: "development",
      aws: { region: "eu-west-1", account_id: "500000000101" },
    });
    const known = Object.keys(environmentSchema.shape);
    const checked: string[] = [];
    const refused: string[] = [];
    for (const file of ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).map((f) => `docs/${f}`)]) {
      for (const [, indent, body] of page(file).matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)) {
        const example = parse(body.replace(new RegExp(`^${indent}`, "gm"), "")) as unknown;
        if (typeof example !== "object" || example === null) continue;
        if (!Object.keys(example).every((key) => known.includes(key))) continue; // not lakestack config
        checked.push(file);
        const result = environmentSchema.safeParse(mergeConfig(reference, example));
        if (!result.success)
          refused.push(`${file}: ${result.error.issues.map((i) => i.path.join(".")).join(", ")}`);
      }
    }
    expect(refused).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining(["README.md", "docs/configuration.md", "docs/policy.md"]));
  });

  it("links only to pages and headings that exist", () => {
    const files = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of page(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split("#");
        const linked = path ? join(dirname(file), path) : file;
        if (!existsSync(join(REPO_ROOT, linked))) broken.push(`${file}: ${target}`);
        else if (anchor && linked.endsWith(".md") && !anchors(page(linked)).includes(anchor))
          broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#+ (.+)$/gm)].map(([, heading]) =>
    heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-"),
  );
}

describe("the README", () => {
  const readme = page("README.md");

  it("stays a page a newcomer reads on day one", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(220);
  });

  it("shows an environment file that validates as it stands", () => {
    const example = readme.split("## Adding an environment")[1].split("```yaml")[1].split("```")[0];
    const dir = configFolder({
      "base.yaml": readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8"),
      "qa.yaml": example,
    });
    try {
      const environments = loadEnvironments(dir);
      expect(environments.map((e) => e.name)).toEqual(["qa"]);
      const findings = checkEnvironments(environments, join(dir, "cdktf.out"), buildArtifacts());
      expect(findings.filter(isError).map(formatDiagnostic)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps its Quick start to the two commands that install, synthesize and test", () => {
    const quickStart = readme.split("## Quick start")[1].split("\n## ")[0];
    const commands = quickStart
      .split("```sh")[1]
      .split("```")[0]
      .trim()
      .split("\n")
      .map((line) => line.split("#")[0].trim());
    expect(commands).toEqual(["npm ci && npm run synth", "npm test"]);
  });
});
