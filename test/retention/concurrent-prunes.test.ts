import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type PruneOptions, prune } from "../../src/retention/prune.js";
import { monthStart, partitionName } from "../../src/store/partitions.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import { eventBody, SECRET } from "../support/events.js";
import { POSTGRES_URL } from "../support/stores.js";
import { deliverAll, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const EVENTS = 400;
const DAY = 86_400_000;

describe("two prunes at once, on postgres (two worker processes, or the CLI beside one)", () => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await inbox?.stop();
    await db?.cleanup();
  });

  /** EVENTS handled events (no handler), then two prunes at once from two pools; what is left, counted. */
  const pruneTwiceAtOnce = async (created: number | undefined, options: () => PruneOptions) => {
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20 }, retention: false });
    await inbox.start();
    const bodies = Array.from({ length: EVENTS }, (_, i) =>
      eventBody({ type: "customer.created", ...(created !== undefined && { created: created + i }) }),
    );
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
    const given = options();
    const results = await Promise.all(stores.map((each) => prune(each, given)));
    expect(results.reduce((sum, result) => sum + result.events, 0)).toBe(EVENTS);
    expect(await count(`SELECT count(*)::int AS n FROM ${schema}.events`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM ${schema}.pruned_event_ids`)).toBe(EVENTS);
    return results;
  };

  it("remove each event once and keep every pruned id", async () => {
    await pruneTwiceAtOnce(undefined, () => ({ before: new Date(), batchSize: 10 }));
  });

  it("drop a month whole once between them, and neither fails", async () => {
    const month = monthStart(new Date(), 1);
    // A clock a day into the month after next: the events' month has ended before the cut.
    const now = new Date(monthStart(month, 1).getTime() + DAY);
    const results = await pruneTwiceAtOnce(Math.floor(month.getTime() / 1000), () => ({
      before: new Date(now.getTime() - 1000),
      now,
    }));
    const dropped = results.flatMap((result) => result.partitions);
    expect(dropped.filter((name) => name === partitionName("events", month))).toHaveLength(1);
  });
});
