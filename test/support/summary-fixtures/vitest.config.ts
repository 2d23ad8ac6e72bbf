import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The suite's summary reporter alone, over files that pass, fail, fail to load, fail in a hook or leave an error.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.fixture.ts"],
    maxWorkers: 1,
    globalSetup: process.env.FIXTURE_SETUP_FAILS ? ["./global-setup-fails.ts"] : [],
    reporters: ["default", fileURLToPath(new URL("../summary-reporter.ts", import.meta.url))],
  },
});
