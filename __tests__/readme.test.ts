import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { formatDiagnostic, isError } from "../config/diagnostics";
import { loadEnvironments } from "../config/load";
import { POLICY_MARKERS } from "../main";
import { REPO_ROOT } from "../paths";
import { policyCatalogue } from "../policy";
import { buildArtifacts } from "../stacks/artifacts";
import { checkEnvironments } from "../stacks/check";
import { readMarkedBlock } from "../views/markers";
import { CONFIG_DIR, configFolder } from "./helpers";

/** Prettier pads Markdown tables; the words are what must match. */
const words = (markdown: string) =>
  markdown
    .split("\n")
    .map((line) => line.replace(/-{3,}/g, "---").replace(/\s+/g, "").trim())
    .filter(Boolean);

describe("the README", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

  it("lists the policy rules as they are (regenerate with `lakestack rules --write README.md`)", () => {
    expect(words(readMarkedBlock(readme, POLICY_MARKERS))).toEqual(words(policyCatalogue()));
  });

  it("shows an environment file that validates as it stands", () => {
    const example = readme
      .split("Add one file, for example `config/qa.yaml`:")[1]
      .split("```yaml")[1]
      .split("```")[0];
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
