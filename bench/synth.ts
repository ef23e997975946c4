/**
 * Synthesis speed: wall time and peak memory of `lakestack synth` for the reference environments and for
 * 30 environments, next to a bare `node -e ''` measured the same way in the same run, and whether the
 * targets are met. Rounds interleave the three commands, so a busy spell on a shared machine slows all
 * of them alike; the spread (fastest–slowest) shows how busy it was.
 *
 *   npm run bench            LAKESTACK_BENCH_RUNS=N to change the number of runs (default 7),
 *                            LAKESTACK_BENCH_NODE=<path> to measure another Node.js binary
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentNames } from "../loader/load";
import { REPO_ROOT } from "../paths";

const RUNS = Number(process.env.LAKESTACK_BENCH_RUNS ?? 7);
const NODE = process.env.LAKESTACK_BENCH_NODE ?? process.execPath;
const MANY = 30;
const TARGETS = { timesNode: 5, msPerEnvironment: 60, peakMb: 150 };

const probe = join(__dirname, "rss-probe.js");
const cli = join(REPO_ROOT, "bin", "lakestack");
const work = mkdtempSync(join(tmpdir(), "lakestack-bench-"));

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
}

interface Series {
  readonly label: string;
  readonly args: string[];
  readonly cwd: string;
  readonly samples: Sample[];
}

function measure(args: string[], cwd: string): Sample {
  const rssFile = join(work, "rss");
  writeFileSync(rssFile, "");
  const started = process.hrtime.bigint();
  const run = spawnSync(NODE, ["--require", probe, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, LAKESTACK_BENCH_RSS_FILE: rssFile },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
  const rssKb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
  return { ms, rssMb: rssKb / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A config folder with `count` environments, cycling through the reference ones (their own names when all fit). */
function configWith(reference: readonly string[], count: number): string {
  const dir = join(work, `envs-${count}`);
  cpSync(join(REPO_ROOT, "config", "base.yaml"), join(dir, "config", "base.yaml"));
  for (let i = 0; i < count; i++) {
    const source = reference[i % reference.length];
    const name = count === reference.length ? source : `${source}${String(i + 1).padStart(2, "0")}`;
    cpSync(join(REPO_ROOT, "config", `${source}.yaml`), join(dir, "config", `${name}.yaml`));
  }
  return dir;
}

const ms = (s: Series) => median(s.samples.map((x) => x.ms));
const peakMb = (s: Series) => Math.max(...s.samples.map((x) => x.rssMb));
const pad = (text: string | number, width: number) => String(text).padStart(width);

try {
  const reference = environmentNames(join(REPO_ROOT, "config"));
  const series: Series[] = [
    { label: "node -e ''", args: ["-e", ""], cwd: work, samples: [] },
    {
      label: `lakestack synth, ${reference.length} environments`,
      args: [cli, "synth"],
      cwd: configWith(reference, reference.length),
      samples: [],
    },
    {
      label: `lakestack synth, ${MANY} environments`,
      args: [cli, "synth"],
      cwd: configWith(reference, MANY),
      samples: [],
    },
  ];
  // Warm-up: file system cache, the CLI's bundles and code caches, the build caches.
  for (const s of series) measure(s.args, s.cwd);
  for (let round = 0; round < RUNS; round++) for (const s of series) s.samples.push(measure(s.args, s.cwd));

  const [baseline, few, many] = series;
  console.log(`${NODE} ${spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim()}`);
  console.log(`median of ${RUNS} interleaved runs after one warm-up; peak RSS over all runs\n`);
  console.log(
    `${"".padEnd(36)}${pad("wall ms", 9)}${pad("fastest–slowest", 17)}${pad("× node", 8)}${pad("peak MB", 9)}`,
  );
  for (const s of series) {
    const times = s.samples.map((x) => x.ms);
    const spread = `${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}`;
    console.log(
      `${s.label.padEnd(36)}${pad(ms(s).toFixed(0), 9)}${pad(spread, 17)}${pad((ms(s) / ms(baseline)).toFixed(1), 8)}${pad(peakMb(s).toFixed(0), 9)}`,
    );
  }

  const timesNode = ms(few) / ms(baseline);
  const perEnvironment = (ms(many) - ms(few)) / (MANY - reference.length);
  const verdict = (met: boolean) => (met ? "met" : "NOT met");
  console.log("\ntargets");
  console.log(
    `  ${reference.length} environments within ${TARGETS.timesNode}× bare Node: ${timesNode.toFixed(1)}× ` +
      `(${ms(few).toFixed(0)} ms vs ${ms(baseline).toFixed(0)} ms), ${verdict(timesNode <= TARGETS.timesNode)}`,
  );
  console.log(
    `  each added environment at most ${TARGETS.msPerEnvironment} ms (${reference.length} against ${MANY}): ` +
      `${perEnvironment.toFixed(0)} ms, ${verdict(perEnvironment <= TARGETS.msPerEnvironment)}`,
  );
  console.log(
    `  peak RSS under ${TARGETS.peakMb} MB for ${reference.length} environments: ${peakMb(few).toFixed(0)} MB, ` +
      `${verdict(peakMb(few) < TARGETS.peakMb)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
