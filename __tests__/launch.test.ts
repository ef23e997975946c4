import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths";

interface Launcher {
  compiledBundles(execArgv: string[], nodeOptions?: string): { bundle: string; cache: string }[];
}

/**
 * bin/launch.js in a project of its own: an entry that imports two packages the launcher bundles, and
 * node_modules linking to this repository's packages. Its build and code caches stay in that project.
 */
describe("the launcher", () => {
  let project: string;
  const cacheDir = () => join(project, "node_modules", ".cache", "lakestack", "cli");
  const manifest = () =>
    JSON.parse(readFileSync(join(cacheDir(), "manifest.json"), "utf8")) as {
      app: { dir: string };
      vendor: { dir: string; specifiers: string[] };
    };
  const entry = (greeting: string, extraImport = "") =>
    `import { Construct } from "constructs";\nimport { parse } from "yaml";\n${extraImport}\n` +
    `export function runCli(argv: string[]): void {\n` +
    `  console.log(JSON.stringify({ greeting: ${JSON.stringify(greeting)}, args: argv.slice(2), ` +
    `construct: typeof Construct, yaml: parse("a: 1") }));\n}\n`;
  const expected = (greeting: string, args: string[]) =>
    JSON.stringify({ greeting, args, construct: "function", yaml: { a: 1 } });
  const launcher = () => join(project, "bin", "run.js");
  /** Each file of each code cache the last run's bundles compile with, with its inode and modification time. */
  const caches = () =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(join(project, "bin", "launch.js")) as Launcher)
      .compiledBundles([], process.env.NODE_OPTIONS)
      .map(({ cache }) => `${cache} ${statSync(cache).ino}:${statSync(cache).mtimeMs}`);

  function run(...args: string[]) {
    const result = spawnSync(process.execPath, [launcher(), ...args], { cwd: project, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), "lakestack-launch-"));
    mkdirSync(join(project, "bin"));
    copyFileSync(join(REPO_ROOT, "bin", "launch.js"), join(project, "bin", "launch.js"));
    writeFileSync(launcher(), `require("./launch.js").launch(process.argv);\n`);
    writeFileSync(join(project, "main.ts"), entry("hello"));
    mkdirSync(join(project, "node_modules"));
    for (const name of ["constructs", "yaml", "commander", "esbuild"]) {
      symlinkSync(join(REPO_ROOT, "node_modules", name), join(project, "node_modules", name));
    }
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it("builds once, then runs from the same bundles compiled from their code caches", () => {
    expect(run("synth", "a")).toEqual({ code: 0, stdout: expected("hello", ["synth", "a"]), stderr: "" });
    const first = { manifest: statSync(join(cacheDir(), "manifest.json")).mtimeMs, caches: caches() };
    expect(manifest().vendor.specifiers).toEqual(["constructs", "yaml"]);

    expect(run("synth", "b")).toEqual({ code: 0, stdout: expected("hello", ["synth", "b"]), stderr: "" });
    // A rejected cache would have been written again when the process exited.
    expect({ manifest: statSync(join(cacheDir(), "manifest.json")).mtimeMs, caches: caches() }).toEqual(
      first,
    );
  });

  it("adds each further command's functions to the code caches once", () => {
    const commands = () => caches().map((entry) => readFileSync(`${entry.split(" ")[0]}.commands`, "utf8"));
    run("--help");
    expect(commands()).toEqual(["(other)", "(other)"]);
    run("validate");
    const grown = caches();
    expect(commands()).toEqual(["(other)\nvalidate", "(other)\nvalidate"]);
    run("validate");
    run("--version");
    expect(caches()).toEqual(grown);
  });

  it("rebuilds the app bundle alone when a source changes, and the vendor bundle when the imports do", () => {
    expect(run().stdout).toBe(expected("hello", []));
    const before = manifest();

    writeFileSync(join(project, "main.ts"), entry("changed"));
    expect(run().stdout).toBe(expected("changed", []));
    expect(manifest().app.dir).not.toBe(before.app.dir);
    expect(manifest().vendor.dir).toBe(before.vendor.dir);

    writeFileSync(
      join(project, "main.ts"),
      entry("more", `import { Command } from "commander";\nvoid Command;`),
    );
    expect(run().stdout).toBe(expected("more", []));
    expect(manifest().vendor).toMatchObject({ specifiers: ["commander", "constructs", "yaml"] });
    expect(manifest().vendor.dir).not.toBe(before.vendor.dir);
  });

  it("gives a bundled module that finds files by its own path that path", () => {
    // cdktf zips archive assets by running its own module file as a script.
    const pkg = join(project, "node_modules", "zod");
    mkdirSync(pkg);
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "zod", main: "index.js" }));
    writeFileSync(join(pkg, "index.js"), "exports.where = [__filename, __dirname];\n");
    writeFileSync(
      join(project, "main.ts"),
      `import { where } from "zod";\nexport function runCli(): void {\n  console.log(JSON.stringify(where));\n}\n`,
    );
    const { code, stdout } = run();
    expect(code).toBe(0);
    expect(manifest().vendor.specifiers).toEqual(["zod"]);
    expect(JSON.parse(stdout)).toEqual([join(realpathSync(pkg), "index.js"), realpathSync(pkg)]);
  });

  it("replaces a code cache V8 rejects, and runs correctly meanwhile", () => {
    run();
    run();
    const vendorCache = caches()[1].split(" ")[0];
    writeFileSync(vendorCache, Buffer.alloc(statSync(vendorCache).size, 7));
    expect(run("x")).toEqual({ code: 0, stdout: expected("hello", ["x"]), stderr: "" });
    expect(readFileSync(vendorCache).subarray(0, 16).equals(Buffer.alloc(16, 7))).toBe(false);
  });

  it("lets concurrent first runs each finish with the right output", async () => {
    const runs = ["a", "b", "c"].map(
      (arg) =>
        new Promise<{ code: number | null; stdout: string }>((resolve) => {
          const child = spawn(process.execPath, [launcher(), arg], { cwd: project });
          let stdout = "";
          child.stdout.on("data", (chunk) => (stdout += chunk));
          child.on("close", (code) => resolve({ code, stdout: stdout.trim() }));
        }),
    );
    expect(await Promise.all(runs)).toEqual(
      ["a", "b", "c"].map((arg) => ({ code: 0, stdout: expected("hello", [arg]) })),
    );
    expect(run("d").stdout).toBe(expected("hello", ["d"]));
  });

  it("runs the app bundle as a plain module with packages from node_modules when debugging", () => {
    const result = spawnSync(process.execPath, [launcher(), "dbg"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, LAKESTACK_DEBUG: "1" },
    });
    expect(result.stdout.trim()).toBe(expected("hello", ["dbg"]));
    expect(caches).toThrow(/ENOENT/);
  });
});
