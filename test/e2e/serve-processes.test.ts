import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { driveLoad } from "../support/load.js";
import { runCli, type ServeProcess, startServe } from "../support/processes.js";
import { storedEventIds } from "../support/stored-ids.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

/** The pids of a process's children, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        // Fields after the command name, which is in parentheses: state, then the parent's pid.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return parent === pid ? [Number(entry)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

describe("serve --processes on Postgres", () => {
  const schema = uniqueSchema();
  const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
  let server: ServeProcess | undefined;
  afterAll(async () => {
    await server?.kill();
    await dropSchema(schema);
  });

  it("serves one port from N processes, replaces one killed with -9, and stops them all on SIGTERM", async () => {
    server = await startServe({ env, args: ["--processes", "2"] });
    await expect.poll(() => childrenOf(server?.pid ?? -1).length, { timeout: 20_000 }).toBe(2);
    const first = await driveLoad({ url: server.url, concurrency: 8, maxMs: 20_000, maxRequests: 200 });
    expect(first.acknowledged.size).toBe(200);

    const [victim] = childrenOf(server.pid);
    process.kill(victim ?? -1, "SIGKILL");
    await expect
      .poll(() => childrenOf(server?.pid ?? -1).filter((pid) => pid !== victim).length, { timeout: 20_000 })
      .toBe(2);
    const second = await driveLoad({ url: server.url, concurrency: 8, maxMs: 20_000, maxRequests: 200 });
    // Connections the killed process held may fail; nothing unacknowledged counts.
    expect(second.acknowledged.size).toBeGreaterThan(150);

    const acknowledged = [...first.acknowledged, ...second.acknowledged];
    const stored = await storedEventIds("postgres", { schema, dataDir: "" }, acknowledged);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    const children = childrenOf(server.pid);
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(children.filter((pid) => childrenOf(server?.pid ?? -1).includes(pid))).toEqual([]);
    expect(server.output()).toMatch(/a serving process exited; starting another/);
  });

  it("refuses --processes on PGlite, and a count that is not a whole number, in one line", async () => {
    const dataDir = tempDir();
    const pglite = await runCli(["serve", "--processes", "2", "--data-dir", dataDir], {});
    expect(pglite.code).toBe(2);
    expect(pglite.stderr.trim()).toBe(
      "stripe-inbox: --processes needs Postgres (DATABASE_URL): a PGlite data directory belongs to one process.",
    );
    const bad = await runCli(["serve", "--processes", "two"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('stripe-inbox: --processes must be a whole number from 1 to 64, not "two".');
  });
});
