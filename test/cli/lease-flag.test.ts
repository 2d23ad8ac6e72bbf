import { describe, expect, it } from "vitest";
import { runCli } from "../support/processes.js";
import { POSTGRES_URL, uniqueSchema } from "../support/stores.js";

// Validated before anything opens: no database is touched by these commands.
const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: uniqueSchema() };

describe("--lease of serve and worker", () => {
  it.each([
    ["serve", "30"],
    ["serve", "5x"],
    ["worker", "500ms"],
    ["worker", "25h"],
  ])("%s --lease %s is refused in one line, exit 2", async (command, value) => {
    const args = command === "worker" ? ["worker", "--handlers", "./none.mjs"] : ["serve", "--port", "0"];
    const { code, stderr } = await runCli([...args, "--lease", value], env);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      `stripe-inbox: --lease must be a duration from 1s to 24h, such as 30s, 5m or 1500ms; not "${value}".`,
    );
  });

  it.each(["serve", "worker"])("is in %s --help", async (command) => {
    const { code, stdout } = await runCli([command, "--help"], {});
    expect(code).toBe(0);
    expect(stdout.replace(/\s+/g, " ")).toMatch(
      /--lease <duration> how long a claimed run is this \S+ before another worker may take it over \(default 5m\)/,
    );
  });
});
