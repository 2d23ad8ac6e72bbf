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

  it("share at most 18 connections; the other handlers wait for one and all succeed", async () => {
    db = await openWorkerTestDb("postgres");
    const marker = `connections_test_${db.config.schema}`;
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { concurrency: 24, pollMs: 50 } });
    inbox.on("customer.created", async (_event, ctx) => {
      await ctx.sql(`SELECT pg_sleep(0.3) /* ${marker} */`);
    });
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
    expect(most).toBeLessThanOrEqual(18);
  }, 30_000);
});
