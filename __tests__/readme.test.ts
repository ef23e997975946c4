import { readFileSync } from "node:fs";
import { join } from "node:path";
import { POLICY_MARKERS } from "../main";
import { REPO_ROOT } from "../paths";
import { policyCatalogue } from "../policy";
import { readMarkedBlock } from "../views/markers";

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
