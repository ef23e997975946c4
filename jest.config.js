/** Jest runs TypeScript through swc without type-checking; `npm run typecheck` is the type gate. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFiles: ["<rootDir>/__tests__/setup-env.ts"],
  globalSetup: "<rootDir>/__tests__/run-folder.js",
  globalTeardown: "<rootDir>/__tests__/run-folder-teardown.js",
  reporters: ["default", "<rootDir>/__tests__/skip-notice-reporter.js"],
  testTimeout: 30000,
  // Jest leaves a core idle by default; most suites wait on child processes and servers, so use both.
  maxWorkers: 2,
};
