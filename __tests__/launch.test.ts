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
  VENDORED: ReadonlySet<string>;
}

describe("the vendor bundle", () => {
  it("holds every dependency that loads cdktf or constructs, so no second copy of cdktf is loaded", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { VENDORED } = require(join(REPO_ROOT, "bin", "launch.js")) as Launcher;
    const manifest = (name: string) =>
      JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8"));
    const own = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    const dependencies = Object.keys(own.dependencies ?? {});
    const needsCdktf = dependencies.filter((name) => {
      const m = manifest(name);
      return ["cdktf", "constructs"].some((core) => m.peerDependencies?.[core] ?? m.dependencies?.[core]);
    });
    expect(needsCdktf.length).toBeGreaterThan(0);
    expect(needsCdktf.filter((name) => !VENDORED.has(name))).toEqual([]);
  });
});

/**
 * bin/launch.js in a project of its own: an entry that imports two packages the launcher bundles, and
 * node_modules linking to this repository's packages. Its builds and code caches stay in that project.
 */
class Project {
  readonly dir = mkdtempSync(join(tmpdir(), "lakestack-launch-"));

  constructor() {
    mkdirSync(join(this.dir, "bin"));
    copyFileSync(join(REPO_ROOT, "bin", "launch.js"), join(this.dir, "bin", "launch.js"));
    writeFileSync(this.launcher, `require("./launch.js").launch(process.argv);\n`);
    this.writeEntry("hello");
    mkdirSync(join(this.dir, "node_modules"));
    for (const name of ["constructs", "yaml", "commander", "esbuild"]) {
      symlinkSync(join(REPO_ROOT, "node_modules", name), join(this.dir, "node_modules", name));
    }
  }

  get launcher(): string {
    return join(this.dir, "bin", "run.js");
  }

  writeEntry(greeting: string, extraImport = ""): void {
    writeFileSync(
      join(this.dir, "main.ts"),
      `import { Construct } from "constructs";\nimport { parse } from "yaml";\n${extraImport}\n` +
        // As lakestack's own output does: process.stdout.write, not console.log, which ignores write errors.
        `export function runCli(argv: string[]): void {\n` +
        `  process.stdout.write(JSON.stringify({ greeting: ${JSON.stringify(greeting)}, args: argv.slice(2), ` +
        `construct: typeof Construct, yaml: parse("a: 1") }) + "\\n");\n}\n`,
    );
  }

  run(...args: string[]) {
    const result = spawnSync(process.execPath, [this.launcher, ...args], { cwd: this.dir, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  manifest() {
    const file = join(this.dir, "node_modules", ".cache", "lakestack", "cli", "manifest.json");
    return JSON.parse(readFileSync(file, "utf8")) as {
      app: { dir: string };
      vendor: { dir: string; specifiers: string[] };
    };
  }

  /** The code cache files the last run's bundles compile with: path, inode and modification time. */
  caches(): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const launcher = require(join(this.dir, "bin", "launch.js")) as Launcher;
    return launcher.compiledBundles([], process.env.NODE_OPTIONS).map(({ cache }) => {
      const stat = statSync(cache);
      return `${cache} ${stat.ino}:${stat.mtimeMs}`;
    });
  }

  /** The commands each code cache holds the functions of. */
  commands(): string[][] {
    return this.caches().map((entry) => readFileSync(`${entry.split(" ")[0]}.commands`, "utf8").split("\n"));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const expected = (greeting: string, args: string[]) =>
  JSON.stringify({ greeting, args, construct: "function", yaml: { a: 1 } });

// One project, run after run, as a developer's checkout sees it.
describe("the launcher, run after run", () => {
  let project: Project;
  beforeAll(() => (project = new Project()));
  afterAll(() => project.remove());

  it("builds once, then runs from the same bundles compiled from their code caches", () => {
    expect(project.run("synth", "a")).toEqual({
      code: 0,
      stdout: expected("hello", ["synth", "a"]),
      stderr: "",
    });
    expect(project.manifest().vendor.specifiers).toEqual(["constructs", "yaml"]);
    const first = project.caches();

    expect(project.run("synth", "b")).toEqual({
      code: 0,
      stdout: expected("hello", ["synth", "b"]),
      stderr: "",
    });
    // A rejected cache would have been written again when the process exited.
    expect(project.caches()).toEqual(first);
  });

  it("adds each further command's functions to the code caches once", () => {
    project.run("--help");
    expect(project.commands()).toEqual([
      ["synth", "(other)"],
      ["synth", "(other)"],
    ]);
    project.run("validate");
    const grown = project.caches();
    project.run("validate");
    project.run("--version");
    expect(project.caches()).toEqual(grown);
  });

  it("replaces a code cache V8 rejects, and runs correctly meanwhile", () => {
    const vendorCache = project.caches()[1].split(" ")[0];
    writeFileSync(vendorCache, Buffer.alloc(statSync(vendorCache).size, 7));
    expect(project.run("synth")).toEqual({ code: 0, stdout: expected("hello", ["synth"]), stderr: "" });
    expect(readFileSync(vendorCache).subarray(0, 16).equals(Buffer.alloc(16, 7))).toBe(false);
    expect(project.commands()[1]).toEqual(["synth"]);
  });

  it("ends quietly when the reader of its output has gone (`lakestack envs | head -1`)", async () => {
    const child = spawn(process.execPath, [project.launcher, "envs"], { cwd: project.dir });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });

  it("rebuilds the app bundle alone when a source changes, and the vendor bundle when the imports do", () => {
    const before = project.manifest();
    // esbuild keeps the characters of a regular expression literal, so this bundle is not all ASCII.
    project.writeEntry("changed", "const frame = /[│]/;");
    const entry = readFileSync(join(project.dir, "main.ts"), "utf8");
    writeFileSync(
      join(project.dir, "main.ts"),
      entry.replace("greeting: ", "frame: frame.source, greeting: "),
    );
    expect(JSON.parse(project.run().stdout)).toMatchObject({ frame: "[│]", greeting: "changed" });
    expect(project.manifest().app.dir).not.toBe(before.app.dir);
    expect(project.manifest().vendor.dir).toBe(before.vendor.dir);

    project.writeEntry("more", `import { Command } from "commander";\nvoid Command;`);
    expect(project.run().stdout).toBe(expected("more", []));
    expect(project.manifest().vendor.specifiers).toEqual(["commander", "constructs", "yaml"]);
    expect(project.manifest().vendor.dir).not.toBe(before.vendor.dir);
  });

  it("gives a bundled module that finds files by its own path that path", () => {
    // cdktf zips archive assets by running its own module file as a script.
    const pkg = join(project.dir, "node_modules", "zod");
    mkdirSync(pkg);
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "zod", main: "index.js" }));
    writeFileSync(join(pkg, "index.js"), "exports.where = [__filename, __dirname];\n");
    writeFileSync(
      join(project.dir, "main.ts"),
      `import { where } from "zod";\nexport function runCli(): void {\n  console.log(JSON.stringify(where));\n}\n`,
    );
    const { code, stdout } = project.run();
    expect(code).toBe(0);
    expect(project.manifest().vendor.specifiers).toEqual(["zod"]);
    expect(JSON.parse(stdout)).toEqual([join(realpathSync(pkg), "index.js"), realpathSync(pkg)]);
  });
});

describe("the launcher, from nothing", () => {
  let project: Project;
  beforeEach(() => (project = new Project()));
  afterEach(() => project.remove());

  it("lets concurrent first runs each finish with the right output", async () => {
    const runs = ["a", "b", "c"].map(
      (arg) =>
        new Promise<{ code: number | null; stdout: string }>((resolve) => {
          const child = spawn(process.execPath, [project.launcher, arg], { cwd: project.dir });
          let stdout = "";
          child.stdout.on("data", (chunk) => (stdout += chunk));
          child.on("close", (code) => resolve({ code, stdout: stdout.trim() }));
        }),
    );
    expect(await Promise.all(runs)).toEqual(
      ["a", "b", "c"].map((arg) => ({ code: 0, stdout: expected("hello", [arg]) })),
    );
    expect(project.run("d").stdout).toBe(expected("hello", ["d"]));
  });

  it("runs the app bundle as a plain module with packages from node_modules when debugging", () => {
    const result = spawnSync(process.execPath, [project.launcher, "dbg"], {
      cwd: project.dir,
      encoding: "utf8",
      env: { ...process.env, LAKESTACK_DEBUG: "1" },
    });
    expect(result.stdout.trim()).toBe(expected("hello", ["dbg"]));
    // No code cache: the bundle ran through Node's own loader.
    expect(() => project.caches()).toThrow(/ENOENT/);
  });
});
