import { realpathSync } from "node:fs";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import { guardCommand } from "../../cli/guard";
import { planCommand, type Synthesize } from "../../cli/plan";
import { referenceEnvironment, synthStack } from "../helpers";
import { inProcess, recordingContext, type RecordingContext } from "../guard/cli-context";
import { fixturePath } from "../guard/fixtures";
import { createStubTerraform, type StubTerraform } from "./stub-terraform";

describe("lakestack plan (in process)", () => {
  let stub: StubTerraform;
  beforeEach(() => {
    stub = createStubTerraform();
  });
  afterEach(() => stub.remove());

  const blockedPlan = () => stub.env({ STUB_EXIT_PLAN: "2", STUB_SHOW_FILE: fixturePath("delete.json") });

  async function plan(
    args: string[],
    synthesize: Synthesize,
    processEnv: NodeJS.ProcessEnv = blockedPlan(),
  ): Promise<RecordingContext> {
    const context = recordingContext(processEnv);
    await inProcess(planCommand(synthesize, context), context).parseAsync(args, { from: "user" });
    return context;
  }

  it("synthesizes the environment and plans the stack directory it returns", async () => {
    const synthesize = jest.fn(async () => stub.stackDir);
    const run = await plan(["--env", "dev"], synthesize);
    expect(synthesize).toHaveBeenCalledWith("dev");
    expect(stub.calls().map((call) => realpathSync(call.cwd))).toEqual(
      Array(3).fill(realpathSync(stub.stackDir)),
    );
    // The stub plans a delete that nothing allows: the guard blocks it.
    expect(run.exitCode()).toBe(3);
  });

  it("plans a given --stack-dir without synthesizing", async () => {
    const synthesize = jest.fn(async () => join(stub.root, "elsewhere"));
    const run = await plan(
      ["--env", "dev", "--stack-dir", stub.stackDir, "--allow", "aws_s3_bucket.lake"],
      synthesize,
    );
    expect(synthesize).not.toHaveBeenCalled();
    expect(run.exitCode()).toBe(0);
  });

  it("honours --detailed-exitcode, --lock-timeout and LAKESTACK_GUARD_ALLOW", async () => {
    const run = await plan(
      ["--env", "dev", "--detailed-exitcode", "--lock-timeout", "2m"],
      async () => stub.stackDir,
      { ...blockedPlan(), LAKESTACK_GUARD_ALLOW: "aws_s3_bucket.lake" },
    );
    expect(run.exitCode()).toBe(2);
    expect(stub.calls()[1].args).toContain("-lock-timeout=2m");
  });

  it("prints one JSON document with --json, the summary and Terraform's output on stderr", async () => {
    const run = await plan(["--env", "dev", "--json"], async () => stub.stackDir);
    expect(run.exitCode()).toBe(3);
    const document = JSON.parse(run.stdout());
    expect(document).toMatchObject({ ok: false, env: "dev", exitCode: 3, changes: true, verdict: "blocked" });
    expect(document.report.destructive.map((c: any) => c.address)).toEqual(["aws_s3_bucket.lake"]);
    expect(run.stderr()).toContain("lakestack guard [dev]: BLOCKED");
    expect(run.stderr()).toContain("stub plan says hello");
  });

  it("uses --tf-bin", async () => {
    const run = await plan(["--env", "dev", "--tf-bin", "tofu-not-installed"], async () => stub.stackDir);
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toContain("tofu-not-installed was not found");
  });

  it("exits 1 with the synthesizer's message when synthesis fails", async () => {
    const run = await plan(["--env", "no-such-env"], async () => {
      throw new Error("config/no-such-env.yaml: no such environment");
    });
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toBe(
      "lakestack plan: could not synthesize no-such-env: config/no-such-env.yaml: no such environment\n",
    );
    expect(stub.calls()).toEqual([]);
  });

  it("requires --env", async () => {
    const context = recordingContext();
    const command = inProcess(
      planCommand(async () => stub.stackDir, context),
      context,
    );
    await expect(command.parseAsync([], { from: "user" })).rejects.toThrow(
      expect.objectContaining({ code: "commander.missingMandatoryOptionValue", exitCode: 1 }),
    );
  });

  it("rejects a lock timeout Terraform would not understand", async () => {
    const context = recordingContext();
    const command = inProcess(
      planCommand(async () => stub.stackDir, context),
      context,
    );
    await expect(
      command.parseAsync(["--env", "dev", "--lock-timeout", "5 minutes"], { from: "user" }),
    ).rejects.toThrow(CommanderError);
    expect(context.stderr()).toContain("expected a duration such as 90s, 5m or 1h");
  });

  it("shows examples and exit codes in --help", async () => {
    const context = recordingContext();
    const command = inProcess(
      planCommand(async () => stub.stackDir, context),
      context,
    );
    await expect(command.parseAsync(["--help"], { from: "user" })).rejects.toBeInstanceOf(CommanderError);
    expect(context.stdout()).toContain(
      "$ lakestack plan --env prod --detailed-exitcode --markdown plan-prod.md",
    );
    expect(context.stdout()).toContain("  2  changes present (with --detailed-exitcode)\n");
    expect(context.stdout()).toContain("  3  the guard blocked a destructive change");
  });
});

describe("the plan and guard help examples", () => {
  /** Everything `--help` prints, examples included. */
  function helpOf(command: Command): string {
    let text = "";
    command.configureOutput({ writeOut: (chunk) => void (text += chunk) }).outputHelp();
    return text;
  }

  it("name only addresses the reference stack has", () => {
    const { json } = synthStack(referenceEnvironment("prod"));
    const addresses = new Set(
      Object.entries(json.resource).flatMap(([type, byName]) =>
        Object.keys(byName).map((name) => `${type}.${name}`),
      ),
    );
    const help = [planCommand(async () => "", recordingContext()), guardCommand(recordingContext())]
      .map(helpOf)
      .join("\n");
    const named = [...new Set(help.match(/\baws_[a-z0-9_]+\.[a-z0-9_]+/g))];
    expect(named.length).toBeGreaterThanOrEqual(3);
    expect(named.filter((address) => !addresses.has(address))).toEqual([]);
  });
});
