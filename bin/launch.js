// Starts the CLI from one bundled file of the TypeScript sources, rebuilt with esbuild whenever a source
// file changed. Loading one file is much faster than transpiling and resolving dozens on every run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "lakestack", "cli");
const bundlePath = path.join(cacheDir, "main.js");
const manifestPath = path.join(cacheDir, "manifest.json");

/** Size and modification time of every bundled source: a changed file changes one of them. */
function identity(file) {
  try {
    const stat = fs.statSync(path.join(root, file));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "missing";
  }
}

function isFresh() {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
    if (manifest.node !== process.version || !fs.existsSync(bundlePath)) return false;
    return Object.entries(manifest.inputs).every(([file, id]) => identity(file) === id);
  } catch {
    return false;
  }
}

function build() {
  const esbuild = require("esbuild");
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written under unique names, then renamed: concurrent runs never read a half-written bundle.
  const suffix = `.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    outfile: bundlePath + suffix,
    logLevel: "silent",
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) inputs[file] = identity(file);
  fs.renameSync(bundlePath + suffix + ".map", bundlePath + ".map");
  fs.renameSync(bundlePath + suffix, bundlePath);
  fs.writeFileSync(manifestPath + suffix, JSON.stringify({ node: process.version, inputs }));
  fs.renameSync(manifestPath + suffix, manifestPath);
}

exports.launch = function launch(argv) {
  if (!isFresh()) build();
  // Source maps cost more than the synth itself (cdktf captures a stack trace per token); opt in to them.
  if (process.env.LAKESTACK_DEBUG) process.setSourceMapsEnabled(true);
  require(bundlePath).runCli(argv);
};
