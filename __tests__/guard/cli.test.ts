import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CommanderError } from "commander";
import { guardCommand } from "../../cli/guard";
import { MARKDOWN_MARKER } from "../../guard";
import { inProcess, recordingContext, type RecordingContext } from "./cli-context";
import { fixturePath } from "./fixtures";

async function guard(args: string[], processEnv: NodeJS.ProcessEnv = {}): Promise<RecordingContext> {
  const context = recordingContext(processEnv);
  await inProcess(guardCommand(context), context).parseAsync(args, { from: "user" });
  return context;
}

describe("lakestack guard (in process)", () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), "lakestack-guard-"));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it("exits 0 and prints the summary on stdout when nothing destructive is planned", async () => {
    const run = await guard([fixturePath("create.json"), "--env", "dev"]);
    expect(run.exitCode()).toBe(0);
    expect(run.stdout()).toMatch(/^lakestack guard \[dev\]: PASS: 1 to add/);
  });

  it("exits 1 when a destructive change is not allowed", async () => {
    const run = await guard([fixturePath("replace-delete-first.json")]);
    expect(run.exitCode()).toBe(1);
    expect(run.stdout()).toContain("BLOCKED  replace (destroy, then create): aws_kinesis_stream.events");
  });

  it("passes with --allow, repeatable", async () => {
    const run = await guard([
      fixturePath("mixed.json"),
      "--allow",
      "aws_cognito_identity_pool.browser",
      "--allow",
      "aws_kinesis_stream.events",
      "--allow",
      "databricks_schema.bronze",
    ]);
    expect(run.exitCode()).toBe(0);
  });

  it("passes with LAKESTACK_GUARD_ALLOW, combined with --allow", async () => {
    const run = await guard([fixturePath("mixed.json"), "--allow", "databricks_schema.bronze"], {
      LAKESTACK_GUARD_ALLOW: "aws_cognito_identity_pool.browser,\naws_kinesis_stream.events",
    });
    expect(run.exitCode()).toBe(0);
  });

  it("warns about an allow that matches nothing, without failing", async () => {
    const run = await guard([fixturePath("no-op.json"), "--allow", "aws_s3_bucket.old"]);
    expect(run.exitCode()).toBe(0);
    expect(run.stdout()).toContain(
      "warning: the allow for aws_s3_bucket.old matches no destructive change in this plan",
    );
  });

  it("--json prints exactly one JSON document on stdout and the human summary on stderr", async () => {
    const run = await guard([fixturePath("delete.json"), "--json", "--env", "prod"]);
    expect(run.exitCode()).toBe(1);
    const report = JSON.parse(run.stdout());
    expect(report).toMatchObject({ env: "prod", verdict: "blocked", counts: { destroy: 1 } });
    expect(run.stderr()).toContain("lakestack guard [prod]: BLOCKED");
  });

  it("--json on an unreadable plan prints one JSON error document and exits 1", async () => {
    const run = await guard([fixturePath("truncated.json"), "--json"]);
    expect(run.exitCode()).toBe(1);
    expect(JSON.parse(run.stdout())).toEqual({
      verdict: "invalid",
      error: expect.stringContaining("not valid JSON"),
    });
  });

  it("--markdown writes the pull-request summary", async () => {
    const file = join(workDir, "guard.md");
    await guard([fixturePath("delete.json"), "--env", "dev", "--markdown", file]);
    const markdown = readFileSync(file, "utf8");
    expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
    expect(markdown).toContain("| dev | 0 | 0 | 0 | 1 | 0 | 0 | ❌ blocked |");
  });

  it.each([
    [
      "unsupported format",
      "format-version-2.json",
      /lakestack guard: plan JSON: format_version is 2\.0: a new major version/,
    ],
    ["unknown actions", "unknown-action.json", /is not an action list this guard knows/],
    ["missing file", "does-not-exist.json", /lakestack guard: cannot read .*does-not-exist\.json \(ENOENT\)/],
  ])("exits 1 with a one-line error for a %s", async (_case, fixture, message) => {
    const run = await guard([fixturePath(fixture)]);
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toMatch(message);
    expect(run.stderr().trim().split("\n")).toHaveLength(1);
    expect(run.stdout()).toBe("");
  });

  it("exits 1 when the Markdown file cannot be written", async () => {
    const run = await guard([fixturePath("create.json"), "--markdown", join(workDir, "missing", "guard.md")]);
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toMatch(/cannot write .*guard\.md \(ENOENT\)/);
  });

  it("exits 2 with one line, not a stack trace, on an internal error", async () => {
    const context = recordingContext();
    const failingContext = {
      ...context,
      out: () => {
        throw new Error("stdout closed");
      },
    };
    await guardCommand(failingContext).parseAsync([fixturePath("create.json")], { from: "user" });
    expect(context.exitCode()).toBe(2);
    expect(context.stderr()).toBe("lakestack guard: internal error: stdout closed\n");
  });

  it("reports usage errors through commander with exit code 1", async () => {
    const context = recordingContext();
    await expect(inProcess(guardCommand(context), context).parseAsync([], { from: "user" })).rejects.toThrow(
      expect.objectContaining({ exitCode: 1, code: "commander.missingArgument" }),
    );
    expect(context.stderr()).toContain("missing required argument 'plan.json'");
  });

  it("shows examples and exit codes in --help", async () => {
    const context = recordingContext();
    await expect(
      inProcess(guardCommand(context), context).parseAsync(["--help"], { from: "user" }),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(context.stdout()).toContain("$ lakestack guard plan.json --env dev");
    expect(context.stdout()).toContain("Exit codes: 0 pass, 1 blocked");
  });
});

describe("lakestack guard (as a process)", () => {
  it("exits 1 on a blocked plan and 0 once it is allowed via the environment", () => {
    const repoRoot = resolve(__dirname, "..", "..");
    const script =
      "require('./cli/guard').guardCommand().parseAsync(process.argv.slice(1), { from: 'user' })";
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script, fixturePath("delete.json")], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        encoding: "utf8",
      });
    const blocked = run({ LAKESTACK_GUARD_ALLOW: "" });
    expect(blocked.stdout).toContain("BLOCKED  delete: aws_s3_bucket.lake");
    expect(blocked.status).toBe(1);
    const allowed = run({ LAKESTACK_GUARD_ALLOW: "aws_s3_bucket.lake" });
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).not.toMatch(/\n\s+at /);
  });
});
