import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { prune } from "../../src/retention/prune.js";
import { monthStart, partitionName } from "../../src/store/partitions.js";
import type { Queryable, Store } from "../../src/store/store.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const unix = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * On Postgres a delivery can commit while prune is between marking a month's ids and dropping the month (on PGlite
 * the drop's transaction runs alone, so nothing can).
 */
describe("a month's drop racing a delivery into that month, on postgres", () => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
  });

  const post = async (body: string) => {
    const response = await (inbox as Inbox).fetch(
      new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { duplicate: boolean }).duplicate;
  };

  it("keeps the month whole when an event of it arrives after its ids were marked, and both ids stay duplicates", async () => {
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20 }, retention: false });
    await inbox.start();
    const store = await inbox.store();
    const month = monthStart(new Date(), 1);
    const early = eventBody({ type: "customer.created", created: unix(month) + 10 });
    const late = eventBody({ type: "customer.created", created: unix(month) + 20 });
    const pendingEvents = async () => {
      const [row] = await store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${store.schema}".events WHERE status = 'pending'`,
      );
      return row?.n;
    };
    expect(await post(early)).toBe(false);
    await expect.poll(pendingEvents, { timeout: 10_000 }).toBe(0);

    // The late event is received, and fanned out, right after prune marked the month's ids, before it locks the month.
    let arrived = false;
    const arriveAfterMarking = (tx: Queryable): Queryable => ({
      ...tx,
      query: async (sql, params, options) => {
        const rows = await tx.query(sql, params, options);
        if (!arrived && sql.includes("WITH marked AS")) {
          arrived = true;
          expect(await post(late)).toBe(false);
          await expect.poll(pendingEvents, { timeout: 10_000 }).toBe(0);
        }
        return rows as never;
      },
    });
    const racing: Store = { ...store, transaction: (fn) => store.transaction((tx) => fn(arriveAfterMarking(tx))) };
    const now = new Date(monthStart(month, 1).getTime() + DAY);
    const result = await prune(racing, { before: new Date(now.getTime() - HOUR), now });

    expect(arrived).toBe(true);
    expect(result.partitions).not.toContain(partitionName("events", month));
    // Removed row by row instead, each id marked as it went.
    expect(result.events).toBe(2);
    for (const body of [early, late]) expect(await post(body)).toBe(true);
    const [left] = await store.query<{ events: number; ids: number }>(
      `SELECT (SELECT count(*) FROM "${store.schema}".events)::int AS events,
              (SELECT count(*) FROM "${store.schema}".pruned_event_ids)::int AS ids`,
    );
    expect(left).toEqual({ events: 0, ids: 2 });
  });
});
