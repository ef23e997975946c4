/**
 * Synthesis speed: wall time and peak memory of `lakestack synth` for every environment, next to a bare
 * `node -e ''` measured the same way in the same run, plus how the time grows with 30 environments.
 *
 *   npm run bench            (LAKESTACK_BENCH_RUNS=N to change the number of runs)
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths";

const RUNS = Number(process.env.LAKESTACK_BENCH_RUNS ?? 7);
const probe = join(__dirname, "rss-probe.js");
const cli = join(REPO_ROOT, "bin", "lakestack");
const work = mkdtempSync(join(tmpdir(), "lakestack-bench-"));

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
}

function measure(args: string[], cwd: string): Sample {
  const rssFile = join(work, "rss");
  writeFileSync(rssFile, "");
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--require", probe, ...args], {
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

function series(label: string, args: string[], cwd: string) {
  measure(args, cwd); // warm-up: file system cache, bundle and build caches
  const samples = Array.from({ length: RUNS }, () => measure(args, cwd));
  return { label, ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)) };
}

/** A config folder with `count` environments, cycling through the reference ones. */
function configWith(count: number): string {
  const dir = join(work, `envs-${count}`);
  cpSync(join(REPO_ROOT, "config", "base.yaml"), join(dir, "config", "base.yaml"));
  const reference = ["dev", "staging", "prod"];
  for (let i = 0; i < count; i++) {
    const source = reference[i % reference.length];
    const name = count === reference.length ? source : `${source}${String(i + 1).padStart(2, "0")}`;
    cpSync(join(REPO_ROOT, "config", `${source}.yaml`), join(dir, "config", `${name}.yaml`));
  }
  return dir;
}

try {
  const baseline = series("node -e ''", ["-e", ""], work);
  const three = series("lakestack synth, 3 environments", [cli, "synth"], configWith(3));
  const thirty = series("lakestack synth, 30 environments", [cli, "synth"], configWith(30));

  const rows = [baseline, three, thirty];
  console.log(`median of ${RUNS} runs after one warm-up, peak RSS over all runs\n`);
  console.log(`${"".padEnd(36)}${"wall ms".padStart(9)}${"× node".padStart(9)}${"peak MB".padStart(9)}`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(36)}${r.ms.toFixed(0).padStart(9)}${(r.ms / baseline.ms).toFixed(1).padStart(9)}${r.rssMb
        .toFixed(0)
        .padStart(9)}`,
    );
  }
  const perEnvironment = (thirty.ms - three.ms) / 27;
  console.log(`\neach environment beyond the third adds ${perEnvironment.toFixed(0)} ms`);
  console.log(
    `targets: 3 environments within 10× node (${(three.ms / baseline.ms).toFixed(1)}×), under 200 MB (${three.rssMb.toFixed(0)} MB)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
