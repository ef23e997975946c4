#!/usr/bin/env node
// `npm test`: lint, format check and type-check run beside jest rather than before it, so the two cores
// stay busy while jest waits on child processes and servers. Each check's output is printed whole when it
// ends, never interleaved; the run fails if any of them fails. Extra arguments go to jest.
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** Runs a command with its output buffered; resolves with its exit code and output. */
function run(label, command, args, options = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, env: process.env, ...options });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      resolve({ label, code: code ?? (signal ? 1 : 0), output, seconds });
    });
  });
}

async function staticChecks() {
  const results = [];
  for (const [label, command, args] of [
    ["eslint", bin("eslint"), ["."]],
    ["prettier", bin("prettier"), ["--check", ".", "--log-level", "warn"]],
    // TypeScript 7 (Go-native) checks types about four times faster than 5.9, which typescript-eslint keeps.
    // Single-threaded it takes as long and half the CPU, which jest needs more.
    [
      "tsc",
      process.execPath,
      [path.join(root, "node_modules", "typescript-native", "bin", "tsc"), "--noEmit", "--singleThreaded"],
    ],
  ]) {
    const result = await run(label, command, args);
    results.push(result);
    const status = result.code === 0 ? "ok" : `failed (exit ${result.code})`;
    process.stdout.write(`${label}: ${status} in ${result.seconds} s\n`);
    if (result.code !== 0)
      process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
  }
  return results;
}

async function main() {
  const started = Date.now();
  // jest prints as it goes; the checks print when each one ends.
  const jest = run("jest", process.execPath, [bin("jest"), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  const [checks, tests] = await Promise.all([staticChecks(), jest]);
  const failed = [...checks, tests].filter((r) => r.code !== 0).map((r) => r.label);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    failed.length
      ? `\nnpm test failed: ${failed.join(", ")} (${seconds} s)\n`
      : `\nnpm test passed in ${seconds} s\n`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

main();
