import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentNames } from "../loader/load";
import { editorJsonSchema } from "../loader/schema";
import { REPO_ROOT } from "../paths";
import { CONFIG_DIR } from "./helpers";
import { noteNodeSupport } from "../cli/runner";
import { lakestack, lakestackProcess, STACK_TRACE } from "./lakestack";

describe("the lakestack command", () => {
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-cli-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("validates every environment", async () => {
    const { code, stdout } = await lakestack(cwd, "validate", "--all");
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`valid: ${environmentNames(CONFIG_DIR).join(", ")}`);
  });

  it("synthesizes every environment, then refuses a typo without touching the output", async () => {
    const synth = await lakestack(cwd, "synth");
    expect(synth.code).toBe(0);
    // cdktf runs `synth` as its app and labels whatever the app writes to stderr "[ERROR]": success is on stdout.
    expect(synth.stdout).toMatch(
      new RegExp(
        `^synthesized ${environmentNames(CONFIG_DIR).join(", ")} into cdktf\\.out in \\d+ ms \\(\\d+ finding\\(s\\) acknowledged by waivers\\)\n$`,
      ),
    );
    expect(synth.stderr).toBe("");
    expect(readdirSync(join(cwd, "cdktf.out", "stacks")).sort()).toEqual(environmentNames(CONFIG_DIR));
    const before = readFileSync(join(cwd, "cdktf.out", "stacks", "dev", "cdk.tf.json"), "utf8");

    const dev = join(cwd, "config", "dev.yaml");
    const original = readFileSync(dev, "utf8");
    writeFileSync(dev, original.replace("retention_hours: 24", "retension_hours: 24"));
    try {
      const { code, stdout, stderr } = lakestackProcess(cwd, "synth");
      expect(code).toBe(1);
      expect(stdout).toBe("");
      const line = original.split("\n").findIndex((l) => l.includes("retention_hours: 24")) + 1;
      expect(stderr).toContain(
        `config/dev.yaml:${line}:3: stream.retension_hours: unknown key 'retension_hours'; did you mean 'retention_hours'?`,
      );
      expect(stderr).not.toMatch(STACK_TRACE);
      expect(readFileSync(join(cwd, "cdktf.out", "stacks", "dev", "cdk.tf.json"), "utf8")).toBe(before);
      expect(readdirSync(cwd).sort()).toEqual(["cdktf.out", "config"]);

      const json = await lakestack(cwd, "validate", "--json");
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({
        ok: false,
        diagnostics: [{ file: "config/dev.yaml", line, col: 3, path: "stream.retension_hours" }],
      });
    } finally {
      writeFileSync(dev, original);
    }
  });

  it("prints exactly one JSON document with --json", async () => {
    const { code, stdout } = lakestackProcess(cwd, "validate", "--env", "prod", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: true, environments: ["prod"] });
    // What the reference config waives on purpose, listed as acknowledged.
    expect(
      report.diagnostics.map((d: { rule: string; severity: string }) => `${d.severity} ${d.rule}`).sort(),
    ).toEqual(["info LS-COG-1", "info LS-S3-3", "info LS-S3-5"]);
  });

  it("fails synthesis on a policy error, at the YAML line that causes it", async () => {
    const prod = join(cwd, "config", "prod.yaml");
    const original = readFileSync(prod, "utf8");
    writeFileSync(prod, original.replace("      ip_access_list: [198.51.100.0/24, 192.0.2.10]\n", ""));
    try {
      const { code, stderr } = await lakestack(cwd, "synth", "--env", "prod", "--out", "policy-out");
      expect(code).toBe(1);
      expect(stderr).toMatch(/^config\/prod\.yaml:\d+:\d+: LS-DBX-2: sharing\.recipients\.partner_research/m);
      expect(readdirSync(cwd)).not.toContain("policy-out");
    } finally {
      writeFileSync(prod, original);
    }
  });

  it("reports config changes since another config that would lose data", async () => {
    const before = join(cwd, "before");
    cpSync(join(cwd, "config"), before, { recursive: true });
    const prod = join(before, "prod.yaml");
    writeFileSync(prod, readFileSync(prod, "utf8").replace("retention_hours: 168", "retention_hours: 336"));
    const { code, stderr } = await lakestack(cwd, "validate", "--env", "prod", "--against", before);
    rmSync(before, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^config\/prod\.yaml:\d+:20: LS-CHG-3: stream\.retention_hours: .*from 336 to 168 hours/m,
    );
  });

  it("lists environments with mode, region and workspace", async () => {
    const { code, stdout } = await lakestack(cwd, "envs", "--json");
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { name: string }[];
    expect(listed.map((e) => e.name)).toEqual(environmentNames(CONFIG_DIR));
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "dev",
          mode: "development",
          region: "eu-west-1",
          account: "500000000101",
        }),
        expect.objectContaining({ name: "prod", mode: "production" }),
      ]),
    );
  });

  it("suggests the environment a mistyped --env meant, with exit code 1", async () => {
    const { code, stderr } = await lakestack(cwd, "validate", "--env", "prd");
    expect(code).toBe(1);
    expect(stderr).toContain("no environment 'prd'; did you mean 'prod'?");
  });

  it("treats unknown commands and options as usage errors", async () => {
    const typo = await lakestack(cwd, "deplyo", "--env", "dev");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("error: unknown command 'deplyo'");
    expect(typo.stderr).toContain("(Did you mean deploy?)");
    expect((await lakestack(cwd, "validate", "--everything")).code).toBe(1);
  });

  it("reports an internal error with exit code 2 and no stack trace", async () => {
    writeFileSync(join(cwd, "not-a-folder"), "");
    const { code, stderr } = lakestackProcess(cwd, "synth", "--out", join(cwd, "not-a-folder", "out"));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^lakestack: internal error: /m);
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it("treats a file without the catalogue's markers as invalid input", async () => {
    writeFileSync(join(cwd, "NOTES.md"), "# notes\n");
    const { code, stderr } = await lakestack(cwd, "rules", "--write", "NOTES.md");
    expect(code).toBe(1);
    expect(stderr).toContain("no <!-- policy-catalogue:start --> marker");
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it("prints its version", async () => {
    const { code, stdout } = await lakestack(cwd, "--version");
    expect(code).toBe(0);
    expect(stdout).toBe(`${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version}\n`);
  });

  it.each(["deploy", "run", "verify", "destroy", "doctor", "synth", "plan"])(
    "shows examples and exit codes in `%s --help`",
    async (command) => {
      const { code, stdout } = await lakestack(cwd, command, "--help");
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Examples:\\n(  \\$ lakestack ${command}( .+)?\\n)+`, "m"));
      if (command !== "synth") expect(stdout).toMatch(/^Exit codes:/m);
    },
  );

  it("prints synth's result as one JSON document with --json", async () => {
    const { code, stdout } = await lakestack(cwd, "synth", "--env", "dev", "--out", "json-out", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, stacks: ["dev"], diagnostics: expect.any(Array) });
  });

  it("prints the editor schema", async () => {
    const { code, stdout } = await lakestack(cwd, "schema");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(editorJsonSchema());
  });
});

describe("config/lakestack.schema.json", () => {
  it("is what the schema generates (run `npm run schema` after changing loader/schema.ts)", async () => {
    const committed = JSON.parse(readFileSync(join(CONFIG_DIR, "lakestack.schema.json"), "utf8"));
    expect(committed).toEqual(editorJsonSchema());
  });

  it("is draft-07 and lets no unknown key through", async () => {
    const schema = editorJsonSchema() as { $schema: string; additionalProperties: boolean };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("the Node.js support notice of the commands that use the AWS SDK", () => {
  it("is one line, said once per process, only before Node.js 22, and silences the SDK's own", () => {
    const said: string[] = [];
    const say = (text: string) => void said.push(text);
    expect(noteNodeSupport(say, "v24.1.0")).toBe(false);
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe("true");
    expect(noteNodeSupport(say, "v20.20.2")).toBe(true);
    expect(noteNodeSupport(say, "v20.20.2")).toBe(false);
    expect(said).toEqual([
      "lakestack: Node.js v20.20.2 is past its end of life, and AWS SDK releases after January 2027 need Node.js 22 or newer: install Node.js 22 or 24",
    ]);
  });
});
