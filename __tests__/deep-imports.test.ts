import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../paths";

/** A namespace import of a provider package loads thousands of classes on every synth: lint refuses it. */
describe("provider packages are imported class by class", () => {
  // Assembled, so a search of the repo for namespace imports finds none here.
  const aws = ["@cdktf", "provider-aws"].join("/");
  const databricks = ["@cdktf", "provider-databricks"].join("/");
  const time = ["@cdktf", "provider-time"].join("/");
  const probes: Record<string, string> = {
    "namespace-aws.ts": `import * as aws from "${aws}";\nexport const x = aws;\n`,
    "named-root.ts": `import { KinesisStream } from "${aws}";\nexport const x = KinesisStream;\n`,
    "namespace-databricks.ts": `import * as databricks from "${databricks}";\nexport const x = databricks;\n`,
    "require-root.ts": `const aws = require("${aws}");\nexport const x = aws;\n`,
    "namespace-time.ts": `import * as time from "${time}";\nexport const x = time;\n`,
    "deep.ts": `import { KinesisStream } from "${aws}/lib/kinesis-stream";\nexport const x = KinesisStream;\n`,
  };
  const rules = new Map<string, string[]>();

  beforeAll(() => {
    // ESLint loads its flat config with a dynamic import, which jest's VM cannot run: lint in a child process.
    const dir = join(REPO_ROOT, "__tests__", `.lint-probe-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const [file, code] of Object.entries(probes)) writeFileSync(join(dir, file), code);
      const eslint = join(REPO_ROOT, "node_modules", "eslint", "bin", "eslint.js");
      const run = spawnSync(process.execPath, [eslint, "--format", "json", "--no-warn-ignored", dir], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      for (const result of JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string }[] }[]) {
        rules.set(
          result.filePath.split("/").pop()!,
          result.messages.map((m) => m.ruleId),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    "namespace-aws.ts",
    "named-root.ts",
    "namespace-databricks.ts",
    "require-root.ts",
    "namespace-time.ts",
  ])("refuses %s", (file) => {
    expect(rules.get(file)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^no-restricted-(imports|syntax)$/)]),
    );
  });

  it("allows a deep import", () => {
    expect(rules.get("deep.ts")).toEqual([]);
  });
});
