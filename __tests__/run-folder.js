// jest globalSetup/globalTeardown: one scratch folder per run, removed when the run ends.
// - It is every worker's TMPDIR, so nothing a test or a tool it drives writes to the temp folder (cdktf's
//   Testing apps included) outlives the run.
// - Its synth/ folder is where suites share the Terraform they synthesize (__tests__/helpers.ts), so the
//   reference environments are synthesized once per run, not once per suite.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lakestack-test-"));
  fs.mkdirSync(path.join(dir, "synth"));
  // Workers start after this and inherit both variables.
  process.env.LAKESTACK_TEST_RUN_FOLDER = dir;
  process.env.LAKESTACK_TEST_SYNTH_CACHE = path.join(dir, "synth");
  process.env.TMPDIR = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env.LAKESTACK_TEST_RUN_FOLDER;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
