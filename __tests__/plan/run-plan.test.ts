import { readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { MARKDOWN_MARKER } from "../../guard";
import { planExitCode, resolveTerraformBinary, runPlan, type PlanOptions, type PlanResult } from "../../plan";
import { recordingContext, type RecordingContext } from "../guard/cli-context";
import { fixturePath, fixtureText } from "../guard/fixtures";
import { createStubTerraform, type StubTerraform } from "./stub-terraform";

interface Run {
  readonly result: PlanResult;
  readonly output: RecordingContext;
}

describe("runPlan against a stub terraform", () => {
  let stub: StubTerraform;
  beforeEach(() => {
    stub = createStubTerraform();
  });
  afterEach(() => stub.remove());

  async function plan(
    settings: Record<string, string>,
    options: Partial<PlanOptions> = {},
    processEnv: NodeJS.ProcessEnv = stub.env(settings),
  ): Promise<Run> {
    const output = recordingContext();
    const result = await runPlan({
      env: "dev",
      stackDir: stub.stackDir,
      allow: [],
      processEnv,
      output,
      ...options,
    });
    return { result, output };
  }

  const changes = (fixture: string) => ({ STUB_EXIT_PLAN: "2", STUB_SHOW_FILE: fixturePath(fixture) });

  it("runs init, plan and show in the stack directory with the documented flags", async () => {
    await plan(changes("create.json"));
    const calls = stub.calls();
    expect(calls.map(({ command, args }) => [command, ...args])).toEqual([
      ["init", "-input=false"],
      ["plan", "-input=false", "-lock-timeout=5m", "-out=tfplan", "-detailed-exitcode"],
      ["show", "-json", "tfplan"],
    ]);
    for (const call of calls) {
      expect(realpathSync(call.cwd)).toBe(realpathSync(stub.stackDir));
      expect(call.tfInAutomation).toBe("1");
    }
  });

  it("passes the lock timeout through", async () => {
    await plan(changes("create.json"), { lockTimeout: "90s" });
    expect(stub.calls()[1].args).toContain("-lock-timeout=90s");
  });

  it("plans without the state lock when told, for read-only plans", async () => {
    await plan(changes("create.json"), { lock: false, lockTimeout: "90s" });
    const args = stub.calls()[1].args;
    expect(args).toContain("-lock=false");
    expect(args.some((arg) => arg.startsWith("-lock-timeout"))).toBe(false);
  });

  it("keeps Terraform's output, the plan text included, in the log file it is given", async () => {
    const log = join(stub.root, "terraform.log");
    const { output, result } = await plan(changes("create.json"), { terraformLog: log });
    expect(result.exitCode).toBe(0);
    expect(output.stderr()).not.toContain("says hello");
    expect(output.stderr()).toContain("$ terraform plan");
    expect(output.stdout()).toMatch(/^lakestack guard \[dev\]: PASS: 1 to add/);
    const logged = readFileSync(log, "utf8");
    expect(logged).toContain("stub init says hello");
    expect(logged).toContain("stub plan says hello");
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it("still prints a failing step's errors, and only them, when Terraform's output goes to a log", async () => {
    const log = join(stub.root, "terraform.log");
    const { output, result } = await plan(
      { STUB_EXIT_PLAN: "1", STUB_STDERR_PLAN: "Error: No valid credential sources found\n" },
      { terraformLog: log },
    );
    expect(result.exitCode).toBe(1);
    expect(output.stderr()).toContain("Error: No valid credential sources found");
    expect(output.stderr()).not.toContain("stub plan says hello");
    expect(output.stderr()).toMatch(/hint: AWS credentials are missing/);
  });

  it("saves plan.json next to tfplan, readable by its owner only", async () => {
    const { result } = await plan(changes("sensitive.json"));
    expect(result.planFile).toBe(join(stub.stackDir, "tfplan"));
    expect(readFileSync(result.planFile, "utf8")).toBe("binary plan");
    expect(readFileSync(result.planJsonFile, "utf8")).toBe(fixtureText("sensitive.json"));
    expect(statSync(result.planJsonFile).mode & 0o777).toBe(0o600);
  });

  it("streams terraform's output to stderr and prints the guard summary on stdout", async () => {
    const { output } = await plan(changes("create.json"));
    expect(output.stderr()).toContain("stub init says hello");
    expect(output.stderr()).toContain("stub plan says hello");
    expect(output.stdout()).toMatch(/^lakestack guard \[dev\]: PASS: 1 to add/);
  });

  it("prints no sensitive value even though plan.json holds them", async () => {
    const { output } = await plan(changes("sensitive.json"));
    for (const printed of [output.stdout(), output.stderr()]) {
      expect(printed).not.toContain("s3cr3t-SHARING-CODE");
      expect(printed).not.toContain("dapi-TOKEN");
    }
  });

  describe("exit codes", () => {
    it("0 when there are no changes", async () => {
      const { result } = await plan(
        { STUB_EXIT_PLAN: "0", STUB_SHOW_FILE: fixturePath("no-op.json") },
        { detailedExitcode: true },
      );
      expect(result).toMatchObject({ exitCode: 0, changesPresent: false });
    });

    it("2 when there are changes and --detailed-exitcode was asked for", async () => {
      const { result } = await plan(changes("create.json"), { detailedExitcode: true });
      expect(result).toMatchObject({ exitCode: 2, changesPresent: true });
    });

    it("0 when there are changes without --detailed-exitcode", async () => {
      const { result } = await plan(changes("create.json"));
      expect(result).toMatchObject({ exitCode: 0, changesPresent: true });
    });

    it("3 when the guard blocks, with or without --detailed-exitcode, and 2 once the change is allowed", async () => {
      const blocked = await plan(changes("delete.json"), { detailedExitcode: true });
      expect(blocked.result.exitCode).toBe(3);
      expect(blocked.result.report?.verdict).toBe("blocked");
      expect((await plan(changes("delete.json"))).result.exitCode).toBe(3);
      const allowed = await plan(changes("delete.json"), {
        detailedExitcode: true,
        allow: ["aws_s3_bucket.lake"],
      });
      expect(allowed.result.exitCode).toBe(2);
    });

    it("1 when terraform plan fails, without running show", async () => {
      const { result, output } = await plan({ STUB_EXIT_PLAN: "1" }, { detailedExitcode: true });
      expect(result).toMatchObject({ exitCode: 1, failure: "terraform plan failed (exit code 1)" });
      expect(stub.calls().map((call) => call.command)).toEqual(["init", "plan"]);
      expect(output.stderr()).toContain("lakestack plan: terraform plan failed (exit code 1)");
    });

    it("1 when terraform init fails, without planning", async () => {
      const { result } = await plan({ STUB_EXIT_INIT: "1" });
      expect(result.exitCode).toBe(1);
      expect(stub.calls().map((call) => call.command)).toEqual(["init"]);
    });

    it("1 when show prints something that is not a whole plan", async () => {
      const { result, output } = await plan(changes("truncated.json"));
      expect(result.exitCode).toBe(1);
      expect(output.stderr()).toContain("lakestack plan: terraform show -json output is not valid JSON");
    });

    it("matches planExitCode's table", () => {
      expect(planExitCode({ blocked: true, changesPresent: true, detailedExitcode: true })).toBe(3);
      expect(planExitCode({ blocked: true, changesPresent: true, detailedExitcode: false })).toBe(3);
      expect(planExitCode({ blocked: false, changesPresent: true, detailedExitcode: true })).toBe(2);
      expect(planExitCode({ blocked: false, changesPresent: true, detailedExitcode: false })).toBe(0);
      expect(planExitCode({ blocked: false, changesPresent: false, detailedExitcode: true })).toBe(0);
    });

    it("1 when a blocked plan's Markdown summary cannot be written: the run failed", async () => {
      const { result } = await plan(changes("delete.json"), {
        detailedExitcode: true,
        markdownFile: join(stub.root, "missing", "plan.md"),
      });
      expect(result.exitCode).toBe(1);
    });
  });

  it("removes a stale plan before planning, so a failed run leaves none to apply", async () => {
    await plan(changes("create.json"));
    const { result } = await plan({ STUB_EXIT_INIT: "1" });
    expect(() => statSync(result.planFile)).toThrow();
    expect(() => statSync(result.planJsonFile)).toThrow();
  });

  describe("binary", () => {
    it("names what to install when the binary is missing", async () => {
      const { result, output } = await plan(changes("create.json"), { tfBin: "terraform-not-installed" });
      expect(result.exitCode).toBe(1);
      expect(output.stderr()).toContain("lakestack plan: terraform-not-installed was not found.");
      expect(output.stderr()).toContain("Terraform >= 1.10");
      expect(output.stderr()).toContain("OpenTofu");
      expect(output.stderr()).not.toMatch(/\n\s+at /);
    });

    it("uses TERRAFORM_BINARY_NAME when --tf-bin is not given", async () => {
      stub.remove();
      stub = createStubTerraform("tofu");
      const { result } = await plan({ ...changes("create.json"), TERRAFORM_BINARY_NAME: "tofu" });
      expect(result.exitCode).toBe(0);
      expect(stub.calls()).toHaveLength(3);
    });

    it("resolves a relative --tf-bin against the working directory, not the stack directory", async () => {
      const relativeStub = relative(process.cwd(), join(stub.binDir, "terraform"));
      const { result } = await plan(changes("create.json"), { tfBin: relativeStub });
      expect(result.exitCode).toBe(0);
      expect(stub.calls()).toHaveLength(3);
    });

    it("prefers --tf-bin, then TERRAFORM_BINARY_NAME, then terraform", () => {
      expect(resolveTerraformBinary("tofu", { TERRAFORM_BINARY_NAME: "terraform-1.10" })).toBe("tofu");
      expect(resolveTerraformBinary(undefined, { TERRAFORM_BINARY_NAME: "terraform-1.10" })).toBe(
        "terraform-1.10",
      );
      expect(resolveTerraformBinary(undefined, { TERRAFORM_BINARY_NAME: " " })).toBe("terraform");
      expect(resolveTerraformBinary(undefined, {})).toBe("terraform");
    });
  });

  describe("hints", () => {
    it("says which AWS variables to set when AWS credentials are missing", async () => {
      const { output } = await plan({
        STUB_EXIT_INIT: "1",
        STUB_STDERR_INIT:
          "Error: No valid credential sources found\n\nPlease see https://www.terraform.io/docs/language/settings/backends/s3.html\n",
      });
      expect(output.stderr()).toContain("hint: AWS credentials are missing or expired");
      expect(output.stderr()).toContain("AWS_PROFILE");
      expect(output.stderr()).toContain("AWS_ACCESS_KEY_ID");
      expect(output.stderr()).toContain("OIDC");
    });

    it("recognises an error Terraform framed and wrapped across lines", async () => {
      const { output } = await plan({
        STUB_EXIT_PLAN: "1",
        STUB_STDERR_PLAN: [
          "╷",
          "│ \u001b[31mError: \u001b[0m\u001b[1mconfiguring Terraform AWS Provider: failed to refresh",
          "│ cached credentials, refresh cached SSO token failed",
          "╵",
          "",
        ].join("\n"),
      });
      expect(output.stderr()).toContain("hint: AWS credentials are missing or expired");
    });

    it("says which Databricks variables to set when Databricks credentials are missing", async () => {
      const { output } = await plan({
        STUB_EXIT_PLAN: "1",
        STUB_STDERR_PLAN:
          "Error: cannot read current user: default auth: cannot configure default credentials, " +
          "please check https://docs.databricks.com/en/dev-tools/auth.html#databricks-client-unified-authentication\n",
      });
      expect(output.stderr()).toContain("DATABRICKS_HOST comes from config/dev.yaml");
      expect(output.stderr()).toContain("DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET");
      expect(output.stderr()).toContain("DATABRICKS_TOKEN");
    });

    it("explains a held state lock and when force-unlock is safe", async () => {
      const { output } = await plan({
        STUB_EXIT_PLAN: "1",
        STUB_STDERR_PLAN: [
          "╷",
          "│ Error: Error acquiring the state lock",
          "│ ",
          "│ Error message: operation error S3: PutObject, https response error",
          "│ StatusCode: 412, PreconditionFailed",
          "│ Lock Info:",
          "│   ID:        3f7c2a9e-5b1d-4c8e-9a2f-0d6b7e8c1a24",
          "│   Path:      lakestack-state/dev/terraform.tfstate",
          "│   Operation: OperationTypePlan",
          "╵",
          "",
        ].join("\n"),
      });
      expect(output.stderr()).toContain("Another run holds this environment's state lock");
      expect(output.stderr()).toContain(
        `\`terraform force-unlock 3f7c2a9e-5b1d-4c8e-9a2f-0d6b7e8c1a24\` in ${stub.stackDir}`,
      );
      expect(output.stderr()).toContain("Only when you are sure no other plan or apply is running");
    });

    it("gives no hint for an unrecognised failure", async () => {
      const { output } = await plan({ STUB_EXIT_PLAN: "1", STUB_STDERR_PLAN: "Error: Invalid reference\n" });
      expect(output.stderr()).not.toContain("hint:");
    });
  });

  describe("Markdown summary", () => {
    it("writes the guard summary", async () => {
      const file = join(stub.root, "plan-dev.md");
      await plan(changes("replace-delete-first.json"), { markdownFile: file });
      const markdown = readFileSync(file, "utf8");
      expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
      expect(markdown).toContain("| dev | 0 | 0 | 1 | 0 | 0 | 0 | ❌ blocked |");
    });

    it("writes what went wrong when the plan could not be made", async () => {
      const file = join(stub.root, "plan-dev.md");
      await plan(
        { STUB_EXIT_INIT: "1", STUB_STDERR_INIT: "Error: No valid credential sources found\n" },
        { markdownFile: file },
      );
      const markdown = readFileSync(file, "utf8");
      expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
      expect(markdown).toContain("dev could not be planned");
      expect(markdown).toContain("terraform init failed (exit code 1)");
      expect(markdown).toContain("AWS credentials are missing");
    });

    it("exits 1 when it cannot be written", async () => {
      const { result, output } = await plan(changes("create.json"), {
        markdownFile: join(stub.root, "missing", "plan.md"),
      });
      expect(result.exitCode).toBe(1);
      expect(output.stderr()).toMatch(/cannot write the Markdown summary to .*plan\.md \(ENOENT\)/);
    });
  });

  it("refuses a stack directory that was not synthesized", async () => {
    rmSync(join(stub.stackDir, "cdk.tf.json"));
    const { result, output } = await plan(changes("create.json"));
    expect(result.exitCode).toBe(1);
    expect(output.stderr()).toContain("has no cdk.tf.json: synthesize the environment first");
    expect(stub.calls()).toEqual([]);
  });

  it("refuses a stack directory that does not exist", async () => {
    const { result, output } = await plan(changes("create.json"), { stackDir: join(stub.root, "nowhere") });
    expect(result.exitCode).toBe(1);
    expect(output.stderr()).toContain("does not exist: synthesize the environment first");
  });
});
