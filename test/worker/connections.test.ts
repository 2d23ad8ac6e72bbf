import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET } from "../support/events.js";
import { deliverAll, openWorkerTestDb, postgresClient, type WorkerTestDb } from "../support/workers.js";

describe("run transactions of a process with more handler slots than connections (postgres)", () => {
  let db: WorkerTestDb;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db.cleanup();
  });

  it("are at most 16 at once; the other handlers wait for a permit and all succeed", async () => {
    db = await openWorkerTestDb("postgres");
    const marker = `connections_test_${db.config.schema}`;
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { concurrency: 24, pollMs: 50 } });
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        await ctx.sql(`SELECT pg_sleep(0.3) /* ${marker} */`);
      },
      { name: "sleep-in-transaction" },
    );
    await deliverAll(
      inbox,
      Array.from({ length: 24 }, () => eventBody()),
    );

    // Sample how many of this test's queries the server runs at once while the handlers work.
    const client = await postgresClient();
    let most = 0;
    let succeeded = 0;
    try {
      await inbox.start();
      const store = await inbox.store();
      while (succeeded < 24) {
        const [row] = (
          await client.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
            [`%${marker}%`],
          )
        ).rows;
        most = Math.max(most, row?.n ?? 0);
        succeeded =
          (
            await store.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM "${db.config.schema}".handler_runs WHERE status = 'succeeded'`,
            )
          )[0]?.n ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.end();
    }
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
  }, 30_000);

  it("leave the worker connections to claim and record outcomes, even when handlers hold them past the pool's wait", async () => {
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 50 } });
    // 20 slow runs hold a transaction each for longer than pg-pool lets a request wait for a connection (5 s); a
    // no-op handler on the same events needs connections meanwhile to be claimed and recorded.
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        await ctx.sql("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 5_500));
      },
      { name: "slow" },
    );
    inbox.on("customer.created", async () => {}, { name: "fast" });
    await deliverAll(
      inbox,
      Array.from({ length: 20 }, () => eventBody()),
    );
    await inbox.start();
    const store = await inbox.store();
    const runs = () =>
      store.query<{ handler: string; status: string; attempts: number; n: number }>(
        `SELECT handler, status, attempts, count(*)::int AS n FROM "${db.config.schema}".handler_runs
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
    await expect.poll(runs, { timeout: 30_000, interval: 250 }).toEqual([
      { handler: "fast", status: "succeeded", attempts: 1, n: 20 },
      { handler: "slow", status: "succeeded", attempts: 1, n: 20 },
    ]);
  }, 40_000);
});
