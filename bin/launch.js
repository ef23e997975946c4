// Starts the CLI from two esbuild bundles, each compiled with V8's code cache:
//   app:    lakestack's own sources, rebuilt whenever one of them changes;
//   vendor: the packages every command loads (cdktf, constructs, the provider classes the stacks import,
//           zod, yaml, commander), rebuilt when the app imports another module of them or a package's
//           package.json changes (any install does).
// One file per bundle spares Node resolving and reading some 700 modules, and the code cache spares V8
// parsing and compiling them. Packages outside VENDORED (esbuild, the AWS SDK behind `simulate`) load from
// node_modules as usual, on use. LAKESTACK_DEBUG runs the app bundle as a plain module instead, with
// source maps and every package from node_modules.
"use strict";
const { isAscii } = require("node:buffer");
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "lakestack", "cli");
const manifestPath = path.join(cacheDir, "manifest.json");
// Every package that loads cdktf or constructs must be here: a package left to node_modules would get a
// second copy of cdktf, whose constructs the vendored one does not recognise.
const VENDORED = new Set([
  "cdktf",
  "constructs",
  "@cdktf/provider-aws",
  "@cdktf/provider-databricks",
  "@cdktf/provider-time",
  "zod",
  "yaml",
  "commander",
]);
// A change to how bundles are built (this file, or esbuild) rebuilds both.
const BUILDER = ["bin/launch.js", "node_modules/esbuild/package.json"];
const BUILD_OPTIONS = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "silent" };
// Builds no manifest names any more are removed once this old (a concurrent run may still be using one).
const STALE_BUILD_MS = 10 * 60 * 1000;

/** Size and modification time of a file: a changed file changes one of them. */
function identity(file) {
  try {
    const stat = fs.statSync(path.join(root, file));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "missing";
  }
}

const isFresh = (inputs) => Object.entries(inputs).every(([file, id]) => identity(file) === id);

/**
 * Identities of the given files, taken after a build that started at `startedMs` read them. A file
 * changed while it ran gets none that can match, so the next run builds again.
 */
function identities(files, startedMs) {
  const inputs = {};
  for (const file of files) {
    const id = identity(file);
    inputs[file] = Number(id.split(":")[1]) < startedMs ? id : "changed during the build";
  }
  return inputs;
}

/** The package a bare import names: `@cdktf/provider-aws/lib/s3-bucket` → `@cdktf/provider-aws`. */
function packageOf(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * What identifies the vendor bundle's inputs: the package.json of each package it bundles (about 70
 * stats a run instead of 600). Editing a file inside node_modules by hand therefore needs
 * `rm -r node_modules/.cache/lakestack`, or LAKESTACK_DEBUG.
 */
function packageManifests(files) {
  const manifests = new Set();
  for (const file of files) {
    const dir = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
    manifests.add(dir ? `${dir}/package.json` : file);
  }
  return [...manifests];
}

/**
 * A bundled module's `__filename` and `__dirname` would name the bundle; give each module that uses them
 * its own (cdktf runs its private/fs.js as a script by its file name to zip archive assets).
 */
const ownPaths = {
  name: "own-paths",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      const contents = fs.readFileSync(args.path, "utf8");
      if (!/\b__(?:file|dir)name\b/.test(contents)) return undefined;
      const own = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};`;
      return { contents: `${own}\n${contents}`, loader: "js" };
    });
  },
};

/**
 * Writes a build's files into cli/<kind>-<content hash>/, renamed into place whole so concurrent runs
 * never see half of it; returns that folder's name, and whether the bundle is all ASCII (then it is read
 * as latin1, several times faster than decoding UTF-8). Identical builds share the folder and caches.
 */
function store(kind, outputFiles) {
  const bundle = outputFiles.find((f) => f.path.endsWith(".js"));
  const name = `${kind}-${crypto.createHash("sha256").update(bundle.contents).digest("hex").slice(0, 16)}`;
  const stored = { dir: name, ascii: isAscii(bundle.contents) };
  const dir = path.join(cacheDir, name);
  if (fs.existsSync(dir)) return stored;
  const scratch = path.join(cacheDir, `.${name}.${process.pid}.tmp`);
  fs.mkdirSync(scratch, { recursive: true });
  for (const file of outputFiles)
    fs.writeFileSync(path.join(scratch, path.basename(file.path)), file.contents);
  try {
    fs.renameSync(scratch, dir);
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw error;
  }
  return stored;
}

async function build(previous) {
  const esbuild = require("esbuild");
  fs.mkdirSync(cacheDir, { recursive: true });
  const started = Date.now();
  const app = await esbuild.build({
    ...BUILD_OPTIONS,
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    write: false,
    outfile: path.join(cacheDir, "app.js"),
  });
  const specifiers = [
    ...new Set(
      Object.values(app.metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((i) => i.external && VENDORED.has(packageOf(i.path)))
        .map((i) => i.path),
    ),
  ].sort();
  const manifest = {
    builder: identities(BUILDER, started),
    app: {
      ...store("app", app.outputFiles),
      inputs: identities(Object.keys(app.metafile.inputs), started),
    },
    vendor: previous?.vendor,
  };
  const vendorCurrent =
    JSON.stringify(previous?.vendor?.specifiers) === JSON.stringify(specifiers) &&
    fs.existsSync(path.join(cacheDir, previous.vendor.dir)) &&
    isFresh(previous.vendor.inputs);
  if (!vendorCurrent) {
    // Each entry a function, so a module runs when the app first requires it, as with require() itself.
    const entry = `module.exports = {\n${specifiers
      .map((s) => `  ${JSON.stringify(s)}: () => require(${JSON.stringify(s)}),`)
      .join("\n")}\n};\n`;
    const vendor = await esbuild.build({
      ...BUILD_OPTIONS,
      absWorkingDir: root,
      stdin: { contents: entry, resolveDir: root, sourcefile: "vendor-entry.js" },
      plugins: [ownPaths],
      // A third less to read and hold; stack traces into packages come from LAKESTACK_DEBUG runs anyway.
      minifyWhitespace: true,
      metafile: true,
      write: false,
      outfile: path.join(cacheDir, "vendor.js"),
    });
    const files = Object.keys(vendor.metafile.inputs).filter((file) => file !== "vendor-entry.js");
    manifest.vendor = {
      ...store("vendor", vendor.outputFiles),
      specifiers,
      inputs: identities(packageManifests(files), started),
    };
  }
  const scratch = `${manifestPath}.${process.pid}.tmp`;
  fs.writeFileSync(scratch, JSON.stringify(manifest));
  fs.renameSync(scratch, manifestPath);
  removeStaleBuilds(new Set([manifest.app.dir, manifest.vendor.dir]));
  return manifest;
}

function removeStaleBuilds(current) {
  const cutoff = Date.now() - STALE_BUILD_MS;
  for (const name of fs.readdirSync(cacheDir)) {
    if (current.has(name) || name === "manifest.json") continue;
    const candidate = path.join(cacheDir, name);
    try {
      if (fs.statSync(candidate).mtimeMs < cutoff) fs.rmSync(candidate, { recursive: true, force: true });
    } catch {
      // Removed by a concurrent run.
    }
  }
}

/** The manifest of current builds, rebuilding what is stale. */
async function currentBuilds() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  } catch {
    return build(undefined);
  }
  if (!manifest.builder || !isFresh(manifest.builder)) return build(undefined);
  const fresh = ["app", "vendor"].every(
    (kind) =>
      typeof manifest[kind]?.dir === "string" &&
      isFresh(manifest[kind].inputs ?? {}) &&
      fs.existsSync(path.join(cacheDir, manifest[kind].dir)),
  );
  return fresh ? manifest : build(manifest);
}

/**
 * V8 accepts a code cache made by the same V8 with the same flags for a script of the same length, so
 * each bundle folder (named by content hash) holds one cache per Node.js version, architecture and flags.
 */
function codeCacheName(execArgv, nodeOptions) {
  const flags = [...execArgv, nodeOptions ?? ""].join("\0");
  const hash = crypto.createHash("sha256").update(flags).digest("hex").slice(0, 12);
  return `${process.version}-${process.arch}-${hash}.cache`;
}

const bundleFile = (manifest, kind) => path.join(cacheDir, manifest[kind].dir, `${kind}.js`);
const encodingOf = (manifest, kind) => (manifest[kind].ascii ? "latin1" : "utf8");

/**
 * Runs a CommonJS bundle as Node would, but compiled with V8's code cache. The cache is written when the
 * process exits, so it holds the functions the run compiled lazily too; it is written again when V8
 * rejected it, and once for each further command (the first argument), so a `--help` run first does not
 * leave `synth` compiling its own functions on every run. A list next to the cache names those commands.
 */
function runBundle(file, encoding, requireFn, command) {
  const cacheFile = path.join(path.dirname(file), codeCacheName(process.execArgv, process.env.NODE_OPTIONS));
  const cachedData = readOrUndefined(cacheFile);
  const covered = cachedData ? (readOrUndefined(`${cacheFile}.commands`)?.toString().split("\n") ?? []) : [];
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, encoding)), { filename: file, cachedData });
  if (script.cachedDataRejected || !covered.includes(command)) {
    const commands = script.cachedDataRejected ? [command] : [...covered, command];
    process.once("exit", () => writeCache(cacheFile, script, commands));
  }
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext()(module.exports, requireFn, module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

function readOrUndefined(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile, script, commands) {
  const written = [
    [cacheFile, script.createCachedData()],
    [`${cacheFile}.commands`, commands.join("\n")],
  ];
  for (const [file, contents] of written) {
    const scratch = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(scratch, contents);
      fs.renameSync(scratch, file);
    } catch {
      // A cache only saves time: a read-only or removed folder means compiling again next time.
      fs.rmSync(scratch, { force: true });
      return;
    }
  }
}

/** The bundles the last run used, and the code cache a run of this Node.js with the given flags reads (for tests). */
exports.VENDORED = VENDORED;

exports.compiledBundles = function compiledBundles(execArgv = [], nodeOptions = "") {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  return ["app", "vendor"].map((kind) => ({
    bundle: bundleFile(manifest, kind),
    cache: path.join(cacheDir, manifest[kind].dir, codeCacheName(execArgv, nodeOptions)),
  }));
};

async function start(argv) {
  const manifest = await currentBuilds();
  const appFile = bundleFile(manifest, "app");
  if (process.env.LAKESTACK_DEBUG) {
    // Source maps cost more than the synth itself (cdktf captures a stack trace per token): opt in only.
    process.setSourceMapsEnabled(true);
    require(appFile).runCli(argv);
    return;
  }
  // Modules loaded outside the bundles (esbuild, the AWS SDK) get Node's own compile cache where it has one.
  Module.enableCompileCache?.(path.join(root, "node_modules", ".cache", "lakestack", "node"));
  const nodeRequire = Module.createRequire(appFile);
  // Options before the command (`-c dir synth`) count as one more command: it only costs a cache write.
  const command = /^[a-z][a-z-]*$/.test(argv[2] ?? "") ? argv[2] : "(other)";
  const vendor = runBundle(
    bundleFile(manifest, "vendor"),
    encodingOf(manifest, "vendor"),
    nodeRequire,
    command,
  );
  const requireFn = (id) => (Object.hasOwn(vendor, id) ? vendor[id]() : nodeRequire(id));
  runBundle(appFile, encodingOf(manifest, "app"), requireFn, command).runCli(argv);
}

exports.launch = function launch(argv) {
  // `lakestack envs | head -1`: the reader leaving early is no failure and no reason for a stack trace.
  process.stdout.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
  start(argv).catch((error) => {
    // A source that does not compile, say: esbuild's message names the file and line.
    process.stderr.write(`lakestack: internal error: ${error instanceof Error ? error.message : error}\n`);
    if (process.env.LAKESTACK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  });
};
