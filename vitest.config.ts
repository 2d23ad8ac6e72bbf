import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Whole-process tests spawn servers and load them; two cores cannot run many files at once.
    maxWorkers: 2,
    passWithNoTests: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    globalSetup: ["./test/support/require-postgres.ts", "./test/support/vacuum-catalogs.ts"],
  },
});
