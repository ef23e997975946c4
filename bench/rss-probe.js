// Preloaded into benchmarked processes: reports their peak resident set size when they exit.
"use strict";
const { appendFileSync } = require("node:fs");

const report = process.env.LAKESTACK_BENCH_RSS_FILE;
if (report) {
  process.on("exit", () => appendFileSync(report, `${process.resourceUsage().maxRSS}\n`));
}
