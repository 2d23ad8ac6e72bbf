import { describe, expect, it } from "vitest";
import { runVitest } from "./run-vitest.js";

describe("the suite without its Postgres server", () => {
  it("fails at once, before any file runs, and says what to start or set", async () => {
    // Port 1: nothing listens there, so the connection is refused at once.
    const run = await runVitest(["test/collections.test.ts"], {
      TEST_DATABASE_URL: "postgres://postgres@127.0.0.1:1/test",
    });
    expect(run.output).toContain("The test suite needs Postgres at postgres://postgres@127.0.0.1:1/test");
    expect(run.output).toContain("ECONNREFUSED");
    expect(run.output).toContain("Fix: start a Postgres server on 127.0.0.1:5432");
    expect(run.lines.at(-1)).toBe("0 passed, 1 failed, 0 skipped");
    expect(run.code).toBe(1);
  });
});
