/** `lakestack deploy` and `lakestack destroy` against a stub terraform on PATH. */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployCommand, type ApplyContext } from "../../cli/deploy";
import { CONFIG_DIR } from "../helpers";
import { inProcess, recordingContext, type RecordingContext } from "../guard/cli-context";
import { fixturePath } from "../guard/fixtures";
import { lakestack } from "../lakestack";
import { createStubTerraform, type StubTerraform } from "./stub-terraform";

/** What `terraform output -json` prints: a recipient's activation link is sensitive. */
const TERRAFORM_OUTPUTS = {
  pipelineId: { sensitive: false, type: "string", value: "p-1" },
  jobIds: { sensitive: false, type: ["object", { device_max: "string" }], value: { device_max: "11" } },
  seismo_dev_loopbackActivationUrl: {
    sensitive: true,
    type: "string",
    value: "https://sharing.example/secret-link",
  },
};

let stub: StubTerraform;
let dir: string;
beforeEach(() => {
  stub = createStubTerraform();
  dir = mkdtempSync(join(tmpdir(), "lakestack-deploy-"));
  writeFileSync(join(stub.root, "outputs.json"), JSON.stringify(TERRAFORM_OUTPUTS));
});
afterEach(() => {
  stub.remove();
  rmSync(dir, { recursive: true, force: true });
});

const commands = () => stub.calls().map((call) => [call.command, ...call.args].join(" "));
const planWith = (fixture: string, planExit = "2") =>
  stub.env({
    STUB_EXIT_PLAN: planExit,
    STUB_SHOW_FILE: fixturePath(fixture),
    STUB_OUTPUT_FILE: join(stub.root, "outputs.json"),
  });

describe("lakestack deploy (in process, stub synthesis)", () => {
  const outputsFile = () => join(dir, "outputs.json");

  async function deploy(args: string[], processEnv: NodeJS.ProcessEnv, ask?: (q: string) => Promise<string>) {
    const context: RecordingContext & ApplyContext = { ...recordingContext(processEnv), ask };
    await inProcess(
      deployCommand(async () => stub.stackDir, context),
      context,
    ).parseAsync(["--env", "dev", "--outputs", outputsFile(), ...args], { from: "user" });
    return context;
  }

  it("applies exactly the guarded saved plan, then records the outputs without sensitive values", async () => {
    const run = await deploy(["--auto-approve"], planWith("create.json"));
    expect(run.exitCode()).toBe(0);
    expect(commands()).toEqual([
      "init -input=false",
      "plan -input=false -lock-timeout=5m -out=tfplan -detailed-exitcode",
      "show -json tfplan",
      "apply -input=false -lock-timeout=5m tfplan",
      "output -json",
    ]);
    for (const call of stub.calls()) expect(realpathSync(call.cwd)).toBe(realpathSync(stub.stackDir));
    expect(run.stdout()).toMatch(/^lakestack guard \[dev\]: PASS: 1 to add/);
    expect(run.stdout()).toContain(
      `lakestack deploy [dev]: applied the guarded plan; outputs in ${outputsFile()}\n`,
    );
    const recorded = JSON.parse(readFileSync(outputsFile(), "utf8"));
    expect(recorded.dev.pipelineId.value).toBe("p-1");
    expect(recorded.dev.seismo_dev_loopbackActivationUrl).toEqual({
      sensitive: true,
      type: "string",
      value: null,
    });
    expect(readFileSync(outputsFile(), "utf8")).not.toContain("secret-link");
    expect(statSync(outputsFile()).mode & 0o777).toBe(0o600);
  });

  it("applies nothing when the guard blocks the plan (exit 3)", async () => {
    const run = await deploy(["--auto-approve"], planWith("delete.json"));
    expect(run.exitCode()).toBe(3);
    expect(commands()).toEqual([
      "init -input=false",
      "plan -input=false -lock-timeout=5m -out=tfplan -detailed-exitcode",
      "show -json tfplan",
    ]);
    expect(run.stdout()).toMatch(/^lakestack guard \[dev\]: BLOCKED/);
    expect(run.stderr()).toContain("lakestack deploy: the guard blocked dev's plan: nothing was applied\n");
    expect(existsSync(outputsFile())).toBe(false);
  });

  it("applies the allowed destructive change", async () => {
    const run = await deploy(["--auto-approve", "--allow", "aws_s3_bucket.lake"], planWith("delete.json"));
    expect(run.exitCode()).toBe(0);
    expect(commands()).toContain("apply -input=false -lock-timeout=5m tfplan");
  });

  it("asks on a terminal, and applies only on yes", async () => {
    const questions: string[] = [];
    const declined = await deploy([], planWith("create.json"), async (q) => (questions.push(q), "y"));
    expect(declined.exitCode()).toBe(1);
    expect(declined.stderr()).toContain('lakestack deploy: not approved (answered "y"): nothing changed\n');
    expect(questions).toEqual(['Apply this plan to dev? Only "yes" applies it: ']);
    expect(commands()).not.toContain("apply -input=false -lock-timeout=5m tfplan");

    const accepted = await deploy([], planWith("create.json"), async () => "yes\n");
    expect(accepted.exitCode()).toBe(0);
    expect(commands()).toContain("apply -input=false -lock-timeout=5m tfplan");
  });

  it("refuses to apply without a terminal to ask or --auto-approve", async () => {
    const run = await deploy([], planWith("create.json"));
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toContain(
      "lakestack deploy: no terminal to ask for approval: pass --auto-approve to go ahead without asking\n",
    );
    expect(commands().some((c) => c.startsWith("apply"))).toBe(false);
  });

  it("asks nothing and applies nothing when there are no changes, and still records the outputs", async () => {
    const run = await deploy([], planWith("no-op.json", "0"));
    expect(run.exitCode()).toBe(0);
    expect(commands().slice(-1)).toEqual(["output -json"]);
    expect(commands().some((c) => c.startsWith("apply"))).toBe(false);
    expect(run.stdout()).toContain("lakestack deploy [dev]: no changes;");
  });

  it("prints one JSON document with --json, everything else on stderr", async () => {
    const run = await deploy(["--auto-approve", "--json"], planWith("create.json"));
    expect(JSON.parse(run.stdout())).toEqual({
      ok: true,
      env: "dev",
      outputsFile: outputsFile(),
      exitCode: 0,
      verdict: "pass",
      changes: true,
      applied: true,
    });
    expect(run.stderr()).toContain("lakestack guard [dev]: PASS");
  });

  it("stops with Terraform's hint when the apply fails", async () => {
    const env = {
      ...planWith("create.json"),
      STUB_EXIT_APPLY: "1",
      STUB_STDERR_APPLY: "Error: Saved plan is stale\n",
    };
    const run = await deploy(["--auto-approve"], env);
    expect(run.exitCode()).toBe(1);
    expect(run.stderr()).toContain("lakestack deploy: terraform apply failed (exit code 1)\n");
    expect(existsSync(outputsFile())).toBe(false);
  });
});

describe("lakestack deploy and destroy (the whole CLI, in process)", () => {
  let cwd: string;
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-destroy-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
    writeFileSync(
      join(cwd, "outputs.json"),
      JSON.stringify({ dev: { pipelineId: "p-dev" }, prod: { pipelineId: "p-prod" } }),
    );
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(cwd, { recursive: true, force: true });
  });
  function useStub(env: NodeJS.ProcessEnv) {
    for (const [key, value] of Object.entries(env)) {
      if (!(key in saved)) saved[key] = process.env[key];
      process.env[key] = value;
    }
  }
  const destroy = (...args: string[]) => lakestack(cwd, "destroy", "--outputs", "outputs.json", ...args);

  it("deploy synthesizes the environment and stops at the guard, applying nothing", async () => {
    useStub(planWith("delete.json"));
    const { code, stdout } = await lakestack(cwd, "deploy", "--env", "dev", "--auto-approve");
    expect(code).toBe(3);
    expect(stdout).toMatch(/BLOCKED/);
    expect(existsSync(join(cwd, "cdktf.out", "stacks", "dev", "cdk.tf.json"))).toBe(true);
    expect(commands()).toEqual([
      "init -input=false",
      "plan -input=false -lock-timeout=5m -out=tfplan -detailed-exitcode",
      "show -json tfplan",
    ]);
  });

  it("refuses a production environment without --production, before running anything", async () => {
    useStub(planWith("delete.json"));
    const refused = await destroy("--env", "prod", "--auto-approve");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "lakestack destroy: prod is a production environment: destroying it deletes its data. To go ahead anyway, name it twice: --env prod --production prod\n",
    );
    const mistyped = await destroy("--env", "prod", "--production", "staging", "--auto-approve");
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain("--production staging does not repeat --env prod: nothing planned");
    expect(stub.calls()).toEqual([]);
    expect(existsSync(join(cwd, "cdktf.out"))).toBe(false);
  });

  it("plans a development destroy, shows what goes, applies that plan and forgets the outputs", async () => {
    useStub(planWith("delete.json"));
    const { code, stdout } = await destroy("--env", "dev", "--auto-approve");
    expect(code).toBe(0);
    expect(stdout).toContain(
      "lakestack destroy [dev]: 1 to destroy\n  destroy: aws_s3_bucket.lake (holds data)\n",
    );
    expect(stdout).toContain("lakestack destroy [dev]: destroyed 1 resource(s)\n");
    expect(commands()).toEqual([
      "init -input=false",
      "plan -destroy -input=false -lock-timeout=5m -out=tfplan -detailed-exitcode",
      "show -json tfplan",
      "apply -input=false -lock-timeout=5m tfplan",
    ]);
    // Planned from a folder of its own: the deploy's saved plan stays as it was.
    expect(realpathSync(stub.calls()[0].cwd)).toBe(
      realpathSync(join(cwd, "cdktf.out", "destroy", "stacks", "dev")),
    );
    expect(JSON.parse(readFileSync(join(cwd, "outputs.json"), "utf8"))).toEqual({
      prod: { pipelineId: "p-prod" },
    });
  });

  it("asks for the environment's name, and without a terminal destroys nothing", async () => {
    useStub(planWith("delete.json"));
    const { code, stderr } = await destroy("--env", "dev");
    expect(code).toBe(1);
    expect(stderr).toContain("lakestack destroy: no terminal to ask for approval");
    expect(commands().some((c) => c.startsWith("apply"))).toBe(false);
  });

  it("plans production, once named twice, without its prevent_destroy protection", async () => {
    useStub(planWith("delete.json"));
    const { code } = await destroy("--env", "prod", "--production", "prod", "--auto-approve");
    expect(code).toBe(0);
    const stack = readFileSync(join(cwd, "cdktf.out", "destroy", "stacks", "prod", "cdk.tf.json"), "utf8");
    expect(stack).not.toContain("prevent_destroy");
    expect(JSON.parse(stack).provider.aws[0].allowed_account_ids).toEqual(["500000000303"]);
    expect(commands()).toContain("apply -input=false -lock-timeout=5m tfplan");
  });
});
