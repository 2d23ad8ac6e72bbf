import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runVitest } from "./run-vitest.js";

const FIXTURES_CONFIG = fileURLToPath(new URL("./summary-fixtures/vitest.config.ts", import.meta.url));

/** The fixture files, run with the summary reporter alone. */
const runFixtures = (filter: string[], env: Record<string, string> = {}) =>
  runVitest(["--config", FIXTURES_CONFIG, ...filter], env);

describe("the suite's summary line", () => {
  it("ends a passing run with its counts, after the label when one is given, and the run passes", async () => {
    const run = await runFixtures(["passes"], { TEST_SUMMARY_LABEL: "node24" });
    expect(run.lines.at(-1)).toBe("node24: 1 passed, 0 failed, 1 skipped");
    expect(run.code).toBe(0);
  });

  it("counts a file that does not load, a hook that fails and an unhandled error as failures, and the run fails", async () => {
    const run = await runFixtures([]);
    // 1 failed test + does-not-load + hook-fails (its 2 tests skipped) + 1 unhandled rejection.
    expect(run.lines.at(-1)).toBe("2 passed, 4 failed, 3 skipped");
    const named = run.lines.at(-2) ?? "";
    expect(named).toMatch(/^failed: 1 test\(s\), 2 file\(s\) outside their tests .*, 1 unhandled error\(s\)$/);
    expect(named).toContain("does-not-load.fixture.ts");
    expect(named).toContain("hook-fails.fixture.ts");
    expect(run.code).toBe(1);
  });

  it("counts a run that failed before any file ran, as when a global set-up finds no database", async () => {
    const run = await runFixtures(["passes"], { FIXTURE_SETUP_FAILS: "1" });
    expect(run.lines.at(-1)).toBe("0 passed, 1 failed, 0 skipped");
    expect(run.lines.at(-2)).toBe("failed: 0 test(s), the run, outside any file (see the error)");
    expect(run.code).toBe(1);
  });
});
