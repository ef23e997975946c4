// A jest reporter that repeats, after the summary, every test that did not run and why (its name says
// why), and that Node.js is out of support when it is. Jest drops the console output of a suite whose
// tests were all skipped when several suites run, so a notice printed by the suite itself is lost.
"use strict";

class SkipNoticeReporter {
  onRunComplete(_contexts, results) {
    // Skipped tests counted per enclosing describe, whose name says why they were skipped.
    const skipped = new Map();
    for (const suite of results.testResults) {
      for (const test of suite.testResults) {
        if (test.status === "pending" || test.status === "skipped" || test.status === "todo") {
          const group = test.ancestorTitles.join(" › ") || test.fullName;
          skipped.set(group, (skipped.get(group) ?? 0) + 1);
        }
      }
    }
    const lines = [...skipped].map(([group, count]) => `  ${count} × ${group}`);
    const major = Number(process.versions.node.split(".")[0]);
    const notices = [];
    if (lines.length) notices.push("tests that did not run:", ...lines);
    if (major < 22) {
      notices.push(
        `Node.js ${process.version} is past its end of life; the workflows use Node.js 22: install 22 or 24.`,
      );
    }
    if (notices.length) process.stderr.write(`\n${notices.map((l) => `NOTICE ${l}`).join("\n")}\n`);
  }
}

module.exports = SkipNoticeReporter;
