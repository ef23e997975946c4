import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatDiagnostic, isError } from "../loader/diagnostics";
import { loadEnvironments } from "../loader/load";
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
