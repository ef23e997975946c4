// jest globalSetup/globalTeardown: one folder per run where suites share the Terraform they synthesize
// (__tests__/helpers.ts), so the reference environments are synthesized once per run, not once per suite.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lakestack-test-synth-"));
  // Workers start after this and inherit the variable.
  process.env.LAKESTACK_TEST_SYNTH_CACHE = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env.LAKESTACK_TEST_SYNTH_CACHE;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
