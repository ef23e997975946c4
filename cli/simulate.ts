import { Command, Option } from "commander";
import type { SimulationProgress, SimulationSummary, SimulationTarget } from "../simulator/simulate";
import { DEFAULT_OUTPUTS_FILE, deployedOutputs, outputString } from "../views/outputs";
import { httpUrl, integerIn, isHttpUrl, numberIn } from "./arguments";
import { noteNodeSupport } from "./runner";

interface SimulateFlags {
  readonly env?: string;
  readonly outputs: string;
  readonly target?: "kinesis" | "http";
  readonly stream?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly url?: string;
  readonly devices: number;
  readonly rate: number;
  readonly duration: number;
  readonly json?: boolean;
}

/** `lakestack simulate`: synthetic phones sending events to a deployed (or local) stream or ingest endpoint. */
export function simulateCommand(): Command {
  return new Command("simulate")
    .description("send synthetic seismograph events (phones shaking) to Kinesis or the HTTP ingest endpoint")
    .option("--env <name>", "take the target from this environment's deploy outputs")
    .option("--outputs <file>", "deploy outputs recorded by `lakestack deploy`", DEFAULT_OUTPUTS_FILE)
    .addOption(
      new Option(
        "--target <kind>",
        "where to send (default: kinesis when a stream is known, else http)",
      ).choices(["kinesis", "http"]),
    )
    .option("--stream <name>", "Kinesis stream name")
    .option("--region <region>", "AWS region of the stream")
    .option("--endpoint <url>", "Kinesis endpoint, e.g. a local emulator", httpUrl)
    .option("--url <ingest url>", "HTTP ingest endpoint (the full POST URL)", httpUrl)
    .option("--devices <count>", "phones to simulate", integerIn(1, 100_000), 130)
    .option("--rate <events/s>", "events per second from each phone", numberIn(0.01, 1000), 4.6)
    .option("--duration <seconds>", "how long to send", numberIn(0.1, 86_400), 60)
    .option("--json", "print only the summary, as one JSON document")
    .addHelpText(
      "after",
      `
Defaults resemble the original demo: 130 phones at 4.6 events/s each, about 600 events/s.
Progress goes to stderr at most once a second; Ctrl-C stops early and still prints the summary.
Exit code: 0 when every event sent was accepted, 1 on a usage error, 2 when events failed.

Examples:
  $ lakestack simulate --env dev
  $ lakestack simulate --env dev --target http --devices 20 --duration 10
  $ lakestack simulate --stream events-dev --region eu-west-1 --json
  $ lakestack simulate --stream events --region us-east-1 --endpoint http://127.0.0.1:4567
  $ lakestack simulate --url https://abc123.execute-api.eu-west-1.amazonaws.com/events`,
    )
    .action(async function (this: Command, flags: SimulateFlags) {
      const { writeOut, writeErr } = this.configureOutput();
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      let summary: SimulationSummary;
      noteNodeSupport((text) => writeErr?.(`${text}\n`));
      try {
        // Loaded on use: the AWS SDK behind it would add a tenth of a second to every other command.
        const { simulate } = await import("../simulator/simulate");
        summary = await simulate({
          target: resolveTarget(flags),
          devices: flags.devices,
          ratePerDevice: flags.rate,
          durationSeconds: flags.duration,
          signal: controller.signal,
          onProgress: (progress) => writeErr?.(`${progressLine(progress)}\n`),
        });
      } catch (error) {
        // Problems with the request (flags, outputs file, no region or credentials) are one line, not a stack.
        return this.error(`error: ${error instanceof Error ? error.message : String(error)}`, {
          exitCode: 1,
          code: "lakestack.simulate",
        });
      } finally {
        process.removeListener("SIGINT", stop);
      }

      writeOut?.(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : summaryTable(summary));
      if (summary.failed > 0) process.exitCode = 2;
    });
}

function resolveTarget(flags: SimulateFlags): SimulationTarget {
  const outputs: Readonly<Record<string, unknown>> = flags.env
    ? deployedOutputs(
        flags.outputs,
        flags.env,
        `run \`lakestack deploy --env ${flags.env}\`, or pass --stream/--url`,
      )
    : {};
  const where = `${flags.outputs}: ${flags.env}`;
  const streamName = flags.stream ?? outputString(outputs, "streamName", where);
  const region = flags.region ?? outputString(outputs, "region", where);
  const url = flags.url ?? outputString(outputs, "ingestUrl", where);
  const kind = flags.target ?? (streamName ? "kinesis" : url ? "http" : undefined);

  if (kind === "http") {
    if (!url) throw new Error("--target http needs --url, or --env with an ingestUrl in the deploy outputs");
    if (!isHttpUrl(url)) throw new Error(`ingest URL ${JSON.stringify(url)} is not an http(s) URL`);
    return { kind, url };
  }
  if (kind === "kinesis") {
    if (!streamName)
      throw new Error("--target kinesis needs --stream, or --env with a streamName in the deploy outputs");
    return { kind, streamName, region, endpoint: flags.endpoint };
  }
  throw new Error(
    "no target: pass --stream (Kinesis) or --url (HTTP ingest), or --env <name> after `lakestack deploy`",
  );
}

function progressLine(progress: SimulationProgress): string {
  const rate = progress.elapsedSeconds > 0 ? Math.round(progress.accepted / progress.elapsedSeconds) : 0;
  return (
    `simulate: ${progress.elapsedSeconds.toFixed(0)}s  generated ${progress.generated}  sent ${progress.sent}  ` +
    `accepted ${progress.accepted}  failed ${progress.failed}  ${rate} events/s`
  );
}

function summaryTable(summary: SimulationSummary): string {
  const rows: Array<[string, string]> = [
    ["target", summary.target],
    ["devices", `${summary.devices} at ${summary.ratePerDevice} events/s`],
    ["elapsed", `${summary.elapsedSeconds} s${summary.stoppedEarly ? " (stopped early)" : ""}`],
    ["generated", String(summary.generated)],
    ["sent", String(summary.sent)],
    ["accepted", String(summary.accepted)],
    ["failed", String(summary.failed)],
    ["unsent", String(summary.unsent)],
    ["events/s", String(summary.eventsPerSecond)],
    ["requests", String(summary.requests)],
    ["latency p50", `${summary.latencyMs.p50} ms`],
    ["latency p99", `${summary.latencyMs.p99} ms`],
    ...Object.entries(summary.errors).map(([code, count]): [string, string] => [
      `error ${code}`,
      String(count),
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join("");
}
