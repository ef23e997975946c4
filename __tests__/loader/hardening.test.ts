import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDiagnostic } from "../../loader/diagnostics";
import { CONFIG_DIR, diagnosticsOf } from "../helpers";
import { lakestack } from "../lakestack";

/** The reference files; each test appends to dev.yaml, whose next line is NEXT. */
const BASE = readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8");
const DEV = readFileSync(join(CONFIG_DIR, "dev.yaml"), "utf8").trimEnd() + "\n";
const NEXT = DEV.split("\n").length;

function only(dev: string): string[] {
  return diagnosticsOf({ "base.yaml": BASE, "dev.yaml": dev }).map(formatDiagnostic);
}

describe("cdktf token markers in YAML", () => {
  it.each([
    ["a list token", "#{TfToken[TOKEN.40]}"],
    ["a map token", "&{TfToken[TOKEN.7]}"],
  ])("refuses %s at its position, like a Terraform expression", (_kind, marker) => {
    expect(only(`${DEV}tags:\n  owner: "team-${marker}"\n`)).toEqual([
      expect.stringMatching(
        new RegExp(`dev\\.yaml:${NEXT + 1}:10: tags\\.owner: must not contain a cdktf token marker`),
      ),
    ]);
  });

  it("refuses a string token as an expression", () => {
    expect(only(`${DEV}tags:\n  owner: "\${TfToken[TOKEN.1]}"\n`)).toEqual([
      expect.stringMatching(
        new RegExp(`dev\\.yaml:${NEXT + 1}:10: tags\\.owner: must not contain '\\$\\{' or '%\\{'`),
      ),
    ]);
  });
});

describe("the nesting check", () => {
  it("is not fooled by an apostrophe in a plain scalar", () => {
    // Before: the apostrophe opened a "quote" that hid the brackets, and only the YAML library's own
    // limits (or a schema error) stopped the file.
    for (const depth of [40, 120_000]) {
      const deep = `${DEV}it's: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
      expect(only(deep)).toEqual([
        expect.stringMatching(new RegExp(`dev\\.yaml:${NEXT}:\\d+: nesting deeper than 32 levels`)),
      ]);
    }
  });

  it("still ignores brackets inside quoted scalars, over several lines and with escaped quotes", () => {
    const brackets = "[".repeat(40);
    const yaml = [
      DEV.trimEnd(),
      "tags:",
      `  single: 'it''s ${brackets}'`,
      `  double: "say \\"${brackets}\\""`,
      `  folded: "first line ${brackets}`,
      `    second line ${brackets}"`,
      `  plain: it's fine, ${"x".repeat(3)}`,
      "",
    ].join("\n");
    expect(diagnosticsOfOrNone(yaml)).toEqual([]);
  });
});

function diagnosticsOfOrNone(dev: string): string[] {
  try {
    return only(dev);
  } catch (error) {
    if (String(error).includes("expected the config to be rejected")) return [];
    throw error;
  }
}

describe("synth --out", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-out-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("creates the output's parent folders", async () => {
    const { code, stderr } = await lakestack(cwd, "synth", "--env", "dev", "--out", "build/tf/cdktf.out");
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(existsSync(join(cwd, "build", "tf", "cdktf.out", "stacks", "dev", "cdk.tf.json"))).toBe(true);
  });

  it("refuses a token marker in YAML with exit 1 instead of crashing", async () => {
    const base = join(cwd, "config", "base.yaml");
    const original = readFileSync(base, "utf8");
    writeFileSync(base, original.replace("team: platform", 'team: "platform-#{TfToken[TOKEN.40]}"'));
    try {
      const { code, stderr } = await lakestack(cwd, "synth", "--env", "dev");
      expect(code).toBe(1);
      expect(stderr).toMatch(/config\/base\.yaml:\d+:\d+: tags\.team: must not contain a cdktf token marker/);
    } finally {
      writeFileSync(base, original);
    }
  });
});

describe("browser_ingest.transport", () => {
  it("refuses http without the HTTP ingest it posts to, at the transport line", () => {
    const dev = DEV.replace("http_ingest:\n", "http_ingest:\n  enabled: false\n");
    expect(only(`${dev}browser_ingest:\n  transport: http\n`)).toEqual([
      expect.stringMatching(
        new RegExp(
          `dev\\.yaml:${NEXT + 2}:14: browser_ingest\\.transport: transport http posts to the HTTP ingest`,
        ),
      ),
    ]);
  });
});
