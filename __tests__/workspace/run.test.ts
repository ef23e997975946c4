/** `lakestack run` against a loopback workspace speaking the Pipelines and Jobs APIs. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeWorkspace, TEST_TOKEN, type FakeWorkspace } from "../databricks/fake-workspace";
import { CONFIG_DIR } from "../helpers";
import { lakestack } from "../lakestack";

let workspace: FakeWorkspace;
let cwd: string;
let savedToken: string | undefined;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "lakestack-run-"));
  cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
  mkdirSync(join(cwd, ".lakestack"));
  // Plain values, as `cdktf deploy --outputs-file` writes them, work as well as terraform's entries.
  writeFileSync(
    join(cwd, ".lakestack", "outputs.json"),
    JSON.stringify({
      dev: { pipelineId: "p-dev", jobIds: { device_max: "11", magnitude_heatmap: "12" } },
      prod: { pipelineId: "p-prod", jobIds: { device_max: "21" } },
    }),
  );
  savedToken = process.env.DATABRICKS_TOKEN;
  process.env.DATABRICKS_TOKEN = TEST_TOKEN;
});

afterAll(() => {
  if (savedToken === undefined) delete process.env.DATABRICKS_TOKEN;
  else process.env.DATABRICKS_TOKEN = savedToken;
  rmSync(cwd, { recursive: true, force: true });
});

beforeEach(async () => {
  workspace = await startFakeWorkspace();
  workspace.pipelines.set("p-dev", {
    name: "seismo-dev-events",
    state: "IDLE",
    continuous: false,
    updates: [],
  });
  workspace.pipelines.set("p-prod", {
    name: "seismo-prod-events",
    state: "RUNNING",
    continuous: true,
    updates: [{ id: "u-live", states: ["RUNNING"] }],
    startedStates: ["QUEUED", "INITIALIZING", "RUNNING"],
  });
});
afterEach(() => workspace.close());

const run = (...args: string[]) =>
  lakestack(cwd, "run", "--host", workspace.url, "--poll-interval", "10ms", ...args);

describe("lakestack run", () => {
  it("starts one update of a triggered pipeline, waits for it and prints the link", async () => {
    const { code, stdout, stderr } = await run("--env", "dev", "pipeline");
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /started pipeline update update-\d+: http:\/\/127\.0\.0\.1:\d+\/#joblist\/pipelines\/p-dev\/updates\/update-\d+/,
    );
    expect(stdout).toMatch(
      /^lakestack run \[dev\]: pipeline pipeline update update-\d+ COMPLETED after \d+m?s: http:\/\/127\.0\.0\.1:\d+\/#joblist\/pipelines\/p-dev\/updates\/update-\d+$/m,
    );
    expect(workspace.requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body])).toEqual([
      ["/api/2.0/pipelines/p-dev/updates", { full_refresh: false }],
    ]);
  });

  it("fails with exit code 3 when the update fails", async () => {
    workspace.pipelines.get("p-dev")!.startedStates = ["QUEUED", "RUNNING", "FAILED"];
    const { code, stdout } = await run("--env", "dev", "pipeline", "--json");
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, target: "pipeline", state: "FAILED", env: "dev" });
  });

  it("leaves a running continuous pipeline alone unless asked to restart it", async () => {
    const refused = await run("--env", "prod", "pipeline");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "prod's pipeline is continuous and RUNNING: it reads the stream already (--restart",
    );
    expect(workspace.requests.some((r) => r.method === "POST")).toBe(false);

    const restarted = await run("--env", "prod", "pipeline", "--restart");
    expect(restarted.code).toBe(0);
    // A continuous update never completes: RUNNING is its success.
    expect(restarted.stdout).toMatch(/pipeline update update-\d+ RUNNING after/);
    expect(workspace.requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      "/api/2.0/pipelines/p-prod/stop",
      "/api/2.0/pipelines/p-prod/updates",
    ]);
  });

  it("runs a job by its key, waits and links the run page", async () => {
    workspace.jobs.set(11, { lifeCycle: ["QUEUED", "PENDING", "RUNNING", "TERMINATED"], result: "SUCCESS" });
    const { code, stdout } = await run("--env", "dev", "device_max");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^lakestack run \[dev\]: device_max job run \d+ TERMINATED SUCCESS after \d+m?s: http:\/\/127\.0\.0\.1:\d+\/\?o=1#job\/1\/run\/\d+$/m,
    );
    expect(workspace.requests.find((r) => r.path === "/api/2.2/jobs/run-now")!.body).toEqual({ job_id: 11 });
  });

  it("starts a job and returns at once with --no-wait, linking the run", async () => {
    workspace.jobs.set(11, { lifeCycle: ["QUEUED", "RUNNING"] });
    const { code, stdout } = await run("--env", "dev", "device_max", "--no-wait", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      state: "STARTED",
      url: expect.stringContaining("#job/1/run/"),
    });
    expect(workspace.requests.filter((r) => r.path === "/api/2.2/jobs/runs/get")).toHaveLength(1);
  });

  it("fails with exit code 3 when the job run fails", async () => {
    workspace.jobs.set(12, { lifeCycle: ["RUNNING", "TERMINATED"], result: "FAILED" });
    const { code, stdout } = await run("--env", "dev", "magnitude_heatmap");
    expect(code).toBe(3);
    expect(stdout).toContain("magnitude_heatmap job run");
    expect(stdout).toContain("TERMINATED FAILED");
  });

  it("times out with exit code 4", async () => {
    workspace.jobs.set(11, { lifeCycle: ["RUNNING"] });
    const { code, stderr } = await run("--env", "dev", "device_max", "--timeout", "100ms");
    expect(code).toBe(4);
    expect(stderr).toMatch(/timed out waiting for job run \d+ \(last state RUNNING\) after \d+m?s/);
  });

  it("names the targets there are when the key is unknown", async () => {
    const { code, stderr } = await run("--env", "dev", "device_mx");
    expect(code).toBe(1);
    expect(stderr).toBe(
      "lakestack run: no job 'device_mx' in dev's last deploy (choose one of: pipeline, device_max, magnitude_heatmap)\n",
    );
  });

  it("shows examples in --help", async () => {
    const { code, stdout } = await lakestack(cwd, "run", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("$ lakestack run --env dev pipeline");
    expect(stdout).toContain(
      "Exit codes: 0 succeeded, 1 invalid input, 2 internal error, 3 the update or run failed, 4 timed out.",
    );
  });
});
