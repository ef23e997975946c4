/**
 * `lakestack verify` end to end, with no cloud: events go through the real ingest handler into kinesalite
 * and straight into kinesalite (as the page does); a fake workspace on loopback plays the pipeline (it
 * reads the stream when an update runs, or all the time when continuous) and the SQL warehouse.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTHETIC_DEVICE_PREFIX } from "../../events/contract";
import { createIngestHandler } from "../../lambda/ingest/ingest";
import { createKinesisClient } from "../../lambda/ingest/kinesis-client";
import { readIngestSettings } from "../../lambda/ingest/settings";
import { startIngestServer, type LocalServer } from "../dataplane/servers";
import {
  createStream,
  readAllEvents,
  startKinesis,
  TEST_REGION,
  type LocalKinesis,
} from "../dataplane/kinesis-helpers";
import {
  startFakeWorkspace,
  TEST_TOKEN,
  type FakePipeline,
  type FakeWorkspace,
  type StatementCall,
} from "../databricks/fake-workspace";
import { CONFIG_DIR } from "../helpers";
import { lakestack, STACK_TRACE } from "../lakestack";

const STREAM = "seismo-verify-events";
const PIPELINE_ID = "pipeline-1";
const WAREHOUSE_ID = "warehouse-1";

let kinesis: LocalKinesis;
let ingest: LocalServer;
let workspace: FakeWorkspace;
let cwd: string;
const saved: Record<string, string | undefined> = {};

/** The events the fake pipeline has processed into `sensor`: what the stream held when it last ran. */
let sensor: Array<{ device: string; magnitude: number }> = [];
/** What `global_stat` counts; by default the whole of `sensor`. */
let globalStatLag = 0;

async function processStream() {
  sensor = (await readAllEvents(kinesis.client, STREAM)).map(({ event }) => ({
    device: String(event.device),
    magnitude: Number(event.magnitude),
  }));
}

/** Answers the two statements verify runs, from `sensor`, the way the warehouse would. */
function warehouse(call: StatementCall) {
  if (call.statement.includes("FROM global_stat")) {
    return { columns: ["events"], rows: [[String(Math.max(0, sensor.length - globalStatLag))]] };
  }
  const devices = new Set([call.parameters.device_0, call.parameters.device_1]);
  const counts = new Map<string, number>();
  for (const row of sensor)
    if (devices.has(row.device)) counts.set(row.device, (counts.get(row.device) ?? 0) + 1);
  const total = String(sensor.length);
  return {
    columns: ["device", "n", "total"],
    rows: [...counts].map(([device, n]) => [device, String(n), total]),
  };
}

function pipeline(overrides: Partial<FakePipeline>): FakePipeline {
  return {
    name: "seismo-dev-events",
    state: "IDLE",
    continuous: false,
    updates: [],
    onStart: processStream,
    ...overrides,
  };
}

function writeOutputs(env: string) {
  mkdirSync(join(cwd, ".lakestack"), { recursive: true });
  const value = (v: unknown) => ({ sensitive: false, type: "string", value: v });
  writeFileSync(
    join(cwd, ".lakestack", "outputs.json"),
    JSON.stringify({
      [env]: {
        region: value(TEST_REGION),
        streamName: value(STREAM),
        ingestUrl: value(`${ingest.url}/events`),
        catalog: value(`seismo_${env}`),
        schema: value("seismograph"),
        pipelineId: value(PIPELINE_ID),
        warehouseId: value(WAREHOUSE_ID),
        jobIds: { sensitive: false, type: ["object", {}], value: { device_max: "11" } },
      },
    }),
  );
}

const verify = (env: string, ...args: string[]) =>
  lakestack(cwd, "verify", "--env", env, "--host", workspace.url, "--poll-interval", "20ms", ...args);

beforeAll(async () => {
  kinesis = await startKinesis();
  await createStream(kinesis.client, STREAM, 1);
  const client = createKinesisClient({ region: TEST_REGION, endpoint: kinesis.endpoint });
  const settings = readIngestSettings({ STREAM_NAME: STREAM });
  ingest = await startIngestServer(createIngestHandler({ client, settings, log: () => undefined }));
  cwd = mkdtempSync(join(tmpdir(), "lakestack-verify-"));
  cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
  // verify reads Databricks credentials as Terraform does, and reaches Kinesis through the SDK's own
  // per-service endpoint variable.
  for (const [key, value] of Object.entries({
    DATABRICKS_TOKEN: TEST_TOKEN,
    AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
  })) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(cwd, { recursive: true, force: true });
  await ingest.close();
  await kinesis.close();
});

beforeEach(async () => {
  workspace = await startFakeWorkspace();
  workspace.sql = warehouse;
  sensor = [];
  globalStatLag = 0;
});

afterEach(() => workspace.close());

describe("lakestack verify", () => {
  it("passes when the events of every ingest path reach sensor and global_stat counts them (triggered pipeline)", async () => {
    writeOutputs("dev");
    workspace.pipelines.set(PIPELINE_ID, pipeline({ updates: [{ id: "old", states: ["COMPLETED"] }] }));
    const { code, stdout, stderr } = await verify("dev", "--events", "3", "--timeout", "10s");
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^lakestack verify \[dev\]: PASS$/m);
    expect(stdout).toMatch(
      /^ {2}http {4}client-5e1f7e57[0-9a-f]{24} {2}sent 3 {2}accepted 3 {2}in sensor 3/m,
    );
    expect(stdout).toMatch(
      /^ {2}kinesis client-5e1f7e57[0-9a-f]{24} {2}sent 3 {2}accepted 3 {2}in sensor 3/m,
    );
    expect(stdout).toMatch(
      /^ {2}latency \(sent → in sensor, to the nearest 20ms\): p50 \d+\.\d s, max \d+\.\d s$/m,
    );
    // Nothing else starts a development pipeline: verify ran one update after sending.
    expect(stdout).toMatch(
      /verify's update COMPLETED: http:\/\/127\.0\.0\.1:\d+\/#joblist\/pipelines\/pipeline-1\/updates\/update-\d+/,
    );
    const posted = workspace.requests.filter((r) => r.method === "POST" && r.path.endsWith("/updates"));
    expect(posted).toHaveLength(1);
    expect(posted[0].body).toEqual({ full_refresh: false });

    // The events really went through both paths, from two synthetic devices, three each.
    const devices = sensor.map((row) => row.device);
    expect(new Set(devices).size).toBe(2);
    expect(devices.every((d) => d.startsWith(SYNTHETIC_DEVICE_PREFIX) && d.length === 39)).toBe(true);
    // Statements ran on the environment's warehouse in its catalog and schema, with values as parameters.
    for (const call of workspace.statements) {
      expect(call).toMatchObject({ warehouseId: WAREHOUSE_ID, catalog: "seismo_dev", schema: "seismograph" });
    }
    expect(workspace.statements[0].statement).not.toContain(SYNTHETIC_DEVICE_PREFIX);
    expect(
      new Set([workspace.statements[0].parameters.device_0, workspace.statements[0].parameters.device_1]),
    ).toEqual(new Set(devices));
  });

  it("waits for a continuous pipeline's global_stat to catch up, and prints one JSON document", async () => {
    writeOutputs("staging");
    workspace.pipelines.set(
      PIPELINE_ID,
      pipeline({ state: "RUNNING", continuous: true, updates: [{ id: "u1", states: ["RUNNING"] }] }),
    );
    // Continuous: the pipeline reads the stream all the time; global_stat lags one refresh behind at first.
    globalStatLag = 4;
    workspace.sql = async (call) => {
      await processStream();
      if (call.statement.includes("FROM global_stat") && globalStatLag > 0) {
        const answer = warehouse(call);
        globalStatLag = 0;
        return answer;
      }
      return warehouse(call);
    };
    const { code, stdout } = await verify("staging", "--timeout", "10s", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: true,
      env: "staging",
      verdict: "pass",
      pipeline: { state: "RUNNING", continuous: true },
    });
    expect(report.paths.map((p: any) => [p.path, p.sent, p.rows])).toEqual([
      ["http", 5, 5],
      ["kinesis", 5, 5],
    ]);
    expect(report.globalStat.events).toBeGreaterThanOrEqual(report.globalStat.required);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.update).toBeUndefined();
    expect(
      workspace.statements.filter((s) => s.statement.includes("global_stat")).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it("times out, exit code 4, saying what it still waited for", async () => {
    writeOutputs("dev");
    // The update completes at once without reading the stream: no row ever appears.
    workspace.pipelines.set(
      PIPELINE_ID,
      pipeline({ onStart: () => undefined, startedStates: ["COMPLETED"] }),
    );
    const { code, stdout } = await verify("dev", "--timeout", "1500ms");
    expect(code).toBe(4);
    expect(stdout).toMatch(
      /^lakestack verify \[dev\]: TIMED OUT: timed out waiting for the synthetic events in sensor \(http 0\/5, kinesis 0\/5\)$/m,
    );
  });

  it("fails at once on a FAILED pipeline, exit code 3, sending nothing", async () => {
    writeOutputs("dev");
    workspace.pipelines.set(
      PIPELINE_ID,
      pipeline({ state: "FAILED", updates: [{ id: "u9", states: ["FAILED"] }] }),
    );
    const before = (await readAllEvents(kinesis.client, STREAM)).length;
    const { code, stdout } = await verify("dev", "--json");
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      verdict: "fail",
      reason: "the pipeline is FAILED (last update u9: FAILED)",
      pipeline: { state: "FAILED", continuous: false, lastUpdate: "FAILED" },
      paths: [],
    });
    expect((await readAllEvents(kinesis.client, STREAM)).length).toBe(before);
    expect(workspace.statements).toEqual([]);
  });

  it("fails on a statement the warehouse refuses, with what to grant", async () => {
    writeOutputs("dev");
    workspace.pipelines.set(PIPELINE_ID, pipeline({}));
    workspace.sql = () => ({
      states: ["RUNNING"],
      end: "FAILED",
      error: {
        error_code: "PERMISSION_DENIED",
        message: "User does not have SELECT on Table 'seismo_dev.seismograph.sensor'.",
      },
    });
    const { code, stdout } = await verify("dev");
    expect(code).toBe(3);
    expect(stdout).toContain(
      "FAIL: the statement failed: User does not have SELECT on Table 'seismo_dev.seismograph.sensor'. (whoever runs verify needs USE CATALOG, USE SCHEMA and SELECT",
    );
  });

  it("fails when the slowest event took longer than --max-latency allows", async () => {
    writeOutputs("dev");
    workspace.pipelines.set(
      PIPELINE_ID,
      pipeline({ startedStates: ["QUEUED", "RUNNING", "RUNNING", "COMPLETED"] }),
    );
    const { code, stdout } = await verify("dev", "--max-latency", "1ms", "--timeout", "10s");
    expect(code).toBe(3);
    expect(stdout).toMatch(/FAIL: the slowest event took \d+ ms, more than the 1 ms allowed/);
  });

  it("explains missing outputs and credentials in one line, exit code 1", async () => {
    rmSync(join(cwd, ".lakestack"), { recursive: true, force: true });
    const missing = await verify("dev");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "lakestack verify: no deploy outputs at .lakestack/outputs.json: run `lakestack deploy --env dev`\n",
    );

    writeOutputs("dev");
    delete process.env.DATABRICKS_TOKEN;
    try {
      const noCredentials = await verify("dev");
      expect(noCredentials.code).toBe(1);
      expect(noCredentials.stderr).toMatch(
        /^lakestack verify: no Databricks credentials: set DATABRICKS_CLIENT_ID/,
      );
    } finally {
      process.env.DATABRICKS_TOKEN = TEST_TOKEN;
    }
  });
});
