import { App } from "cdktf";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadEnvironments } from "../../loader/load";
import { REPO_ROOT } from "../../paths";
import { buildArtifacts } from "../../stacks/artifacts";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { CONFIG_DIR } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledBundles } = require("../../bin/launch.js") as {
  compiledBundles(execArgv: string[], nodeOptions?: string): { bundle: string; cache: string }[];
};

/** Every file under a folder, by path relative to it, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

// Flags of its own give this test code caches of its own: CLI runs of other commands in suites running
// alongside would add their functions to shared ones between the two runs below.
const NODE_OPTIONS = "--title=lakestack-synthesis-test";

function lakestackSynth(cwd: string) {
  const cli = join(REPO_ROOT, "bin", "lakestack");
  const env = { ...process.env, LAKESTACK_DEBUG: "", NODE_OPTIONS };
  return spawnSync(process.execPath, [cli, "synth"], { cwd, encoding: "utf8", env });
}

/** Inode and modification time of each code cache the CLI's bundles are compiled with in those runs. */
function codeCaches(): string[] {
  return compiledBundles([], NODE_OPTIONS).map(({ cache }) => {
    const stat = statSync(cache);
    return `${cache} ${stat.ino}:${stat.mtimeMs}`;
  });
}

/**
 * The CLI runs from bundles compiled with V8's code cache and checks policy on the one rendering of each
 * stack; none of that may change a byte. The reference is plain cdktf: one App, a stack per environment of
 * the reference config, `app.synth()`, nothing else.
 */
describe("synthesis through the CLI", () => {
  let cwd: string;
  let plain: Map<string, Buffer>;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-synth-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
    // Same working folder and output depth as the CLI's: local state paths are relative to both.
    const previous = process.cwd();
    process.chdir(cwd);
    try {
      const app = new App({ outdir: join(cwd, "plain.out"), stackTraces: false });
      const outDir = join(cwd, "cdktf.out");
      for (const environment of loadEnvironments(join(cwd, "config"))) {
        new EnvironmentStack(app, environment, { outDir, artifacts: buildArtifacts() });
      }
      app.synth();
    } finally {
      process.chdir(previous);
    }
    plain = tree(join(cwd, "plain.out"));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("writes what plain cdktf synthesis writes, byte for byte, compiling afresh and from the code cache", () => {
    const stacks = [...plain.keys()].filter((path) => path.endsWith("cdk.tf.json"));
    expect(stacks.length).toBe(loadEnvironments(CONFIG_DIR).length);

    // The first run may build the bundles and write their code caches (at exit); the second compiles from them.
    const caches: string[][] = [];
    for (const run of ["first", "second"]) {
      const { status: code, stderr } = lakestackSynth(cwd);
      expect({ run, code, stderr: code === 0 ? "" : stderr }).toEqual({ run, code: 0, stderr: "" });
      caches.push(codeCaches());
      const synthesized = tree(join(cwd, "cdktf.out"));
      expect([...synthesized.keys()].sort()).toEqual([...plain.keys()].sort());
      const differing = [...plain].filter(([path, bytes]) => !bytes.equals(synthesized.get(path)!));
      expect({ run, differing: differing.map(([path]) => path) }).toEqual({ run, differing: [] });
    }
    // A cache V8 rejects is written again when the process exits: the second run used both as they were.
    expect(caches[1]).toEqual(caches[0]);
  });
});
