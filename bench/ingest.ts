/**
 * Ingest throughput: events per second the Lambda handler sustains, and its CPU time per 1,000 events,
 * next to a naive producer measured in the same run (one PutRecord call per event).
 *
 * kinesalite runs in a child process: in-process, its own work (parsing, storing, sequence numbers) would
 * be counted in this process's CPU time and compete for its event loop, so the handler would look slower
 * than it is. The child has the machine's other core. Requests go one at a time, like one Lambda container.
 *
 *   npm run bench:ingest
 */
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { encodeEvent, newDeviceId, type DeviceEvent } from "../events/contract";
import { createIngestHandler } from "../lambda/ingest/ingest";
import { createKinesisClient } from "../lambda/ingest/kinesis-client";
import { readIngestSettings } from "../lambda/ingest/settings";
// The tests' helpers also give the SDK dummy credentials: kinesalite checks that requests are signed, not by whom.
import { createStream } from "../__tests__/dataplane/kinesis-helpers";

const DEMO_EVENTS_PER_SECOND = 590;
const EVENTS_PER_REQUEST = 500;
const DEVICES = 130;
// Each measurement runs until this much time or this many events, whichever comes first.
const BUDGET_MS = 10_000;
const MAX_EVENTS = 200_000;
const STREAM = "bench";

interface Measurement {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const emulator = await startKinesalite();
  const client = createKinesisClient({ region: "us-east-1", endpoint: emulator.endpoint });
  try {
    await createStream(client, STREAM, 4);
    const devices = Array.from({ length: DEVICES }, () => newDeviceId());
    const handler = createIngestHandler({ client, settings: readIngestSettings({ STREAM_NAME: STREAM }) });

    // Requests are made up front, so only the handler's work is timed.
    const batches = Array.from({ length: 40 }, () => makeEvents(devices, EVENTS_PER_REQUEST));
    const bodies = batches.map((batch) => JSON.stringify(batch));

    const batched = await measure("handler, 500-event requests", async (deadline) => {
      let events = 0;
      for (let index = 0; performance.now() < deadline && events < MAX_EVENTS; index++) {
        const body = bodies[index % bodies.length];
        const result = await handler({
          headers: { "content-type": "application/json" },
          body,
          isBase64Encoded: false,
        });
        if (result.statusCode !== 200)
          throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
        events += EVENTS_PER_REQUEST;
      }
      return events;
    });

    const encoder = new TextEncoder();
    const naive = await measure("naive: one PutRecord per event", async (deadline) => {
      let events = 0;
      for (let index = 0; performance.now() < deadline && events < MAX_EVENTS; index++) {
        for (const event of batches[index % batches.length]) {
          const data = encoder.encode(encodeEvent(event));
          await client.send(
            new PutRecordCommand({ StreamName: STREAM, Data: data, PartitionKey: event.device }),
          );
        }
        events += EVENTS_PER_REQUEST;
      }
      return events;
    });

    printTable([batched, naive]);
    console.log(
      [
        "",
        `handler: ${(rate(batched) / DEMO_EVENTS_PER_SECOND).toFixed(1)}x the demo's ${DEMO_EVENTS_PER_SECOND} events/s (target: 10x),`,
        `         ${(rate(batched) / rate(naive)).toFixed(1)}x the naive producer, with ${(cpuPerThousand(naive) / cpuPerThousand(batched)).toFixed(0)}x less CPU per event.`,
        `kinesalite, busy on the other core, caps both rates; the handler's own CPU time would allow`,
        `about ${Math.round(1_000_000 / cpuPerThousand(batched))} events/s on one core.`,
      ].join("\n"),
    );
  } finally {
    client.destroy();
    emulator.process.kill();
  }
}

/** Runs a short warm-up (JIT, sockets), then the measurement, timing wall clock and this process's CPU. */
async function measure(name: string, run: (deadline: number) => Promise<number>): Promise<Measurement> {
  await run(performance.now() + 300);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const events = await run(started + BUDGET_MS);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, events, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function makeEvents(devices: readonly string[], count: number): DeviceEvent[] {
  const time = new Date().toISOString();
  return Array.from({ length: count }, () => ({
    magnitude: Math.floor(Math.random() * 10),
    time,
    device: devices[Math.floor(Math.random() * devices.length)],
  }));
}

const rate = (measurement: Measurement) => measurement.events / measurement.seconds;
const cpuPerThousand = (measurement: Measurement) => (measurement.cpuMs / measurement.events) * 1000;

function printTable(measurements: readonly Measurement[]): void {
  const rows = [
    ["", "events", "seconds", "events/s", "CPU ms / 1,000 events"],
    ...measurements.map((measurement) => [
      measurement.name,
      String(measurement.events),
      measurement.seconds.toFixed(2),
      Math.round(rate(measurement)).toString(),
      cpuPerThousand(measurement).toFixed(1),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
        .join("  "),
    );
  }
}

async function startKinesalite(): Promise<{ endpoint: string; process: ChildProcess }> {
  const script = `
    const server = require(${JSON.stringify(require.resolve("kinesalite"))})({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`kinesalite exited with code ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port.trim()}`, process: child };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
