import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { prune } from "../../src/retention/prune.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import { eventBody, SECRET } from "../support/events.js";
import { POSTGRES_URL } from "../support/stores.js";
import { deliverAll, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const EVENTS = 400;

describe("two prunes at once, on postgres (two worker processes, or the CLI beside one)", () => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await inbox?.stop();
    await db?.cleanup();
  });

  it("remove each event once and keep every pruned id", async () => {
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20 }, retention: false });
    await inbox.start();
    const bodies = Array.from({ length: EVENTS }, () => eventBody({ type: "customer.created" }));
    await deliverAll(inbox, bodies);
    const store = await inbox.store();
    const schema = `"${store.schema}"`;
    const count = async (sql: string) => Number((await store.query<{ n: number }>(sql))[0]?.n);
    await expect
      .poll(() => count(`SELECT count(*)::int AS n FROM ${schema}.events WHERE status = 'no_handler'`), {
        timeout: 10_000,
      })
      .toBe(EVENTS);

    for (let i = 0; i < 2; i++)
      stores.push(openPostgresStore({ connectionString: POSTGRES_URL, schema: store.schema }));
    const before = new Date();
    const results = await Promise.all(stores.map((each) => prune(each, { before, batchSize: 10 })));
    expect(results.reduce((sum, result) => sum + result.events, 0)).toBe(EVENTS);
    expect(await count(`SELECT count(*)::int AS n FROM ${schema}.events`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM ${schema}.pruned_event_ids`)).toBe(EVENTS);
  });
});
