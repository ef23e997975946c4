import { Command } from "commander";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { simulateCommand } from "../../cli/simulate";
import { DEVICE_ID_PATTERN, isDeviceEvent } from "../../events/contract";
import { createIngestHandler } from "../../lambda/ingest/ingest";
import { readIngestSettings } from "../../lambda/ingest/settings";
import { simulate, type SimulationProgress } from "../../simulator/simulate";
import { TEST_REGION, createStream, readAllEvents, startKinesis, type LocalKinesis } from "./kinesis-helpers";
import { listen, startIngestServer, type LocalServer } from "./servers";

let kinesis: LocalKinesis;
let ingest: LocalServer;
let scratch: string;

beforeAll(async () => {
  kinesis = await startKinesis();
  await Promise.all(
    ["sim-kinesis", "sim-http", "sim-abort", "sim-cli"].map((stream) =>
      createStream(kinesis.client, stream, 2),
    ),
  );
  const settings = readIngestSettings({ STREAM_NAME: "sim-http" });
  ingest = await startIngestServer(
    createIngestHandler({ client: kinesis.client, settings, log: () => undefined }),
  );
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lakestack-simulate-"));
});

afterAll(async () => {
  await ingest.close();
  await kinesis.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A clock that moves 100 ms each time it is read, so a run's pace follows the code, not the machine. */
function steppingClock(): () => number {
  let ms = 0;
  return () => (ms += 100);
}

describe("simulate", () => {
  it("sends to Kinesis directly, and its counts match what the stream holds", async () => {
    const summary = await simulate({
      target: { kind: "kinesis", streamName: "sim-kinesis", region: TEST_REGION, endpoint: kinesis.endpoint },
      devices: 5,
      ratePerDevice: 40,
      durationSeconds: 0.5,
    });

    const stored = await readAllEvents(kinesis.client, "sim-kinesis");
    expect(summary).toMatchObject({
      target: "kinesis",
      devices: 5,
      generated: 100,
      sent: 100,
      accepted: 100,
      failed: 0,
      unsent: 0,
    });
    expect(stored).toHaveLength(summary.accepted);
    expect(new Set(stored.map(({ partitionKey }) => partitionKey)).size).toBe(5);
    for (const { partitionKey, event } of stored) {
      expect(isDeviceEvent(event)).toBe(true);
      expect(partitionKey).toBe(event.device);
      expect(partitionKey).toMatch(DEVICE_ID_PATTERN);
    }
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50);
  });

  it("sends to the HTTP ingest endpoint, backed by the real handler", async () => {
    const summary = await simulate({
      target: { kind: "http", url: `${ingest.url}/events` },
      devices: 5,
      ratePerDevice: 40,
      durationSeconds: 0.5,
    });

    const stored = await readAllEvents(kinesis.client, "sim-http");
    expect(summary).toMatchObject({
      target: "http",
      generated: 100,
      sent: 100,
      accepted: 100,
      failed: 0,
      errors: {},
    });
    expect(stored).toHaveLength(100);
  });

  it("reports progress at most once per second of its clock", async () => {
    const progress: SimulationProgress[] = [];
    const summary = await simulate({
      target: { kind: "http", url: `${ingest.url}/events` },
      devices: 2,
      ratePerDevice: 5,
      durationSeconds: 5,
      now: steppingClock(),
      onProgress: (snapshot) => progress.push(snapshot),
    });

    expect(summary).toMatchObject({ generated: 50, accepted: 50 });
    // Five seconds of the clock hold at least two whole seconds between reports.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const tenths = progress.map((snapshot) => Math.round(snapshot.elapsedSeconds * 10));
    expect(tenths[0]).toBeGreaterThanOrEqual(10);
    tenths.slice(1).forEach((at, i) => expect(at - tenths[i]).toBeGreaterThanOrEqual(10));
  });

  it("stops on abort and still accounts for every event", async () => {
    const controller = new AbortController();
    const summary = await simulate({
      target: { kind: "kinesis", streamName: "sim-abort", region: TEST_REGION, endpoint: kinesis.endpoint },
      devices: 10,
      ratePerDevice: 50,
      durationSeconds: 600,
      signal: controller.signal,
      now: steppingClock(),
      // Stop once under way: at the first progress report, a second into the run's clock.
      onProgress: () => controller.abort(),
    });

    expect(summary.stoppedEarly).toBe(true);
    expect(summary.elapsedSeconds).toBeLessThan(600);
    expect(summary.generated).toBeGreaterThan(0);
    expect(summary.accepted + summary.failed + summary.unsent).toBe(summary.generated);
    expect(await readAllEvents(kinesis.client, "sim-abort")).toHaveLength(summary.accepted);
  });

  it("counts a refused connection as failed events, not as a crash", async () => {
    // A port that was just free: nothing listens there.
    const closed = await listen(() => undefined);
    await closed.close();
    const summary = await simulate({
      target: { kind: "http", url: `${closed.url}/events` },
      devices: 2,
      ratePerDevice: 10,
      durationSeconds: 0.3,
    });
    expect(summary.accepted).toBe(0);
    expect(summary.failed).toBe(summary.generated);
    expect(summary.errors).toEqual({ ECONNREFUSED: summary.generated });
  });
});

describe("lakestack simulate", () => {
  interface Run {
    readonly exitCode: number | undefined;
    readonly stdout: string;
    readonly stderr: string;
  }

  async function run(...args: string[]): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const program = new Command("lakestack").exitOverride();
    const command = simulateCommand()
      .exitOverride()
      .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
    program.addCommand(command);
    const previousExitCode = process.exitCode;
    try {
      await program.parseAsync(["simulate", ...args], { from: "user" });
      return { exitCode: Number(process.exitCode ?? 0), stdout, stderr };
    } catch (error) {
      return { exitCode: (error as { exitCode?: number }).exitCode, stdout, stderr };
    } finally {
      process.exitCode = previousExitCode;
    }
  }

  it("reads the target from a deploy outputs file and prints one JSON summary", async () => {
    const outputs = path.join(scratch, "outputs.json");
    // Either form cdktf writes: plain values, or terraform output's { value, sensitive } entries.
    fs.writeFileSync(
      outputs,
      JSON.stringify({
        dev: {
          streamName: { value: "sim-cli", type: "string", sensitive: false },
          region: TEST_REGION,
          ingestUrl: null,
        },
      }),
    );

    const result = await run(
      ...`--env dev --outputs ${outputs} --endpoint ${kinesis.endpoint} --devices 3 --rate 25 --duration 0.2 --json`.split(
        " ",
      ),
    );

    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as { accepted: number; failed: number; target: string };
    expect(summary).toMatchObject({ target: "kinesis", failed: 0 });
    expect(summary.accepted).toBe(15);
    expect(await readAllEvents(kinesis.client, "sim-cli")).toHaveLength(15);
  });

  it("prints a readable summary for the HTTP target", async () => {
    const result = await run(...`--url ${ingest.url}/events --devices 2 --rate 5 --duration 0.2`.split(" "));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^target\s+http$/m);
    expect(result.stdout).toMatch(/^accepted\s+2$/m);
    expect(result.stdout).toMatch(/^latency p99\s+[\d.]+ ms$/m);
  });

  it.each([
    [
      ["--devices", "zero"],
      "error: option '--devices <count>' argument 'zero' is invalid. expected a whole number from 1 to 100000.",
    ],
    [
      ["--rate", "-1", "--stream", "s"],
      "error: option '--rate <events/s>' argument '-1' is invalid. expected a number from 0.01 to 1000.",
    ],
    [
      ["--url", "ftp://example.com"],
      "error: option '--url <ingest url>' argument 'ftp://example.com' is invalid. expected an http(s) URL.",
    ],
    [
      [],
      "error: no target: pass --stream (Kinesis) or --url (HTTP ingest), or --env <name> after `lakestack deploy`",
    ],
    [
      ["--target", "http", "--stream", "s"],
      "error: --target http needs --url, or --env with an ingestUrl in the deploy outputs",
    ],
  ])("refuses %j with one line on stderr and exit code 1", async (args, message) => {
    const result = await run(...args);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`${message}\n`);
    expect(result.stdout).toBe("");
  });

  it("explains a missing outputs file or environment", async () => {
    const missing = await run("--env", "dev", "--outputs", path.join(scratch, "nope.json"));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(
      /^error: no deploy outputs at .*nope\.json: run `lakestack deploy --env dev`, or pass --stream\/--url\n$/,
    );

    const outputs = path.join(scratch, "staging-only.json");
    fs.writeFileSync(outputs, JSON.stringify({ staging: { streamName: "s" } }));
    const unknown = await run("--env", "prod", "--outputs", outputs);
    expect(unknown.stderr).toBe(
      `error: ${outputs} has no outputs for environment "prod" (found: staging): run \`lakestack deploy --env prod\`, or pass --stream/--url\n`,
    );
  });
});
