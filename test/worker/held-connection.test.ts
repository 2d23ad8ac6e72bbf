import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET } from "../support/events.js";
import { deliver, openWorkerTestDb, postgresClient, type WorkerTestDb } from "../support/workers.js";

/** A promise the test resolves by hand, to hold a handler inside its run. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("a run whose transaction's connection dies while its handler awaits something else (postgres)", () => {
  let db: WorkerTestDb;
  let inbox: Inbox | undefined;
  let direct: pg.Client | undefined;
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);
  afterEach(async () => {
    process.off("uncaughtException", recordUncaught);
    await inbox?.stop(0);
    await direct?.end();
    await db.cleanup();
  });

  it("fails and is retried, without an unhandled 'error' nor a pause of its handler", async () => {
    process.on("uncaughtException", recordUncaught);
    db = await openWorkerTestDb("postgres");
    direct = await postgresClient();
    // A circuit breaker that trips on the first failure: a lost connection must not count as one.
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 50, pauseAfterFailures: 1 } });
    const held = gate();
    const released = gate();
    let backendPid = 0;
    let secondQuery: unknown = "not attempted";
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        const [row] = await ctx.sql<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        if (ctx.attempt > 1) return;
        backendPid = row?.pid ?? 0;
        held.open();
        // As if waiting on another API while the run's transaction stays open.
        await released.opened;
        secondQuery = await ctx.sql("SELECT 1").then(
          () => "answered",
          (error: unknown) => error,
        );
        throw secondQuery;
      },
      { name: "hold", retry: { baseDelayMs: 10, maxDelayMs: 10 } },
    );
    await inbox.start();
    await deliver(inbox, eventBody());
    await held.opened;

    // The server ends the held connection (an operator, a failover, a proxy's idle timeout).
    await direct.query("SELECT pg_terminate_backend($1)", [backendPid]);
    await expect
      .poll(async () => (await direct?.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [backendPid]))?.rowCount)
      .toBe(0);
    released.open();

    const runs = async () =>
      (
        await direct?.query<{ status: string; attempts: number }>(
          `SELECT status, attempts FROM "${db.config.schema}".handler_runs`,
        )
      )?.rows;
    await expect.poll(runs, { timeout: 15_000 }).toEqual([{ status: "succeeded", attempts: 2 }]);
    expect(secondQuery).toBeInstanceOf(Error);
    expect(uncaught).toEqual([]);
    expect((await inbox.handlers.list()).filter((handler) => handler.paused !== null)).toEqual([]);
  });
});
