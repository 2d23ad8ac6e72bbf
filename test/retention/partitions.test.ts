import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { prune } from "../../src/retention/prune.js";
import { createPartitionsAhead, listPartitions, monthStart, partitionName } from "../../src/store/partitions.js";
import type { Store } from "../../src/store/store.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;
const unix = (date: Date) => Math.floor(date.getTime() / 1000);

async function post(inbox: Inbox, body: string) {
  const response = await inbox.fetch(
    new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { duplicate: boolean };
}

/** The partition of events that holds each id, by id. */
async function partitionOf(store: Store, ids: string[]): Promise<Record<string, string>> {
  const rows = await store.query<{ id: string; partition: string }>(
    `SELECT id, tableoid::regclass::text AS partition FROM "${store.schema}".events WHERE id = ANY($1::text[])`,
    [ids],
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.partition.replace(/^.*\./, "")]));
}

async function runStates(store: Store): Promise<Record<string, string>> {
  const rows = await store.query<{ event_id: string; status: string }>(
    `SELECT event_id, string_agg(status, ',' ORDER BY handler) AS status FROM "${store.schema}".handler_runs
      GROUP BY event_id`,
  );
  return Object.fromEntries(rows.map((row) => [row.event_id, row.status]));
}

describe.each(ENGINES)("month partitions on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    inbox = undefined;
    await db?.cleanup();
  });

  it("drops a month whose every event is handled, deletes row by row in a month with work not done, and keeps dedupe", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20 }, retention: false });
    inbox.on("customer.created", async () => {}, { name: "crm" });
    inbox.on(
      "invoice.paid",
      async () => {
        throw new Error("ledger down");
      },
      { name: "ledger", retry: { maxAttempts: 1 } },
    );
    inbox.on(
      "invoice.created",
      async () => {
        throw new Error("warehouse down");
      },
      { name: "warehouse", retry: { maxAttempts: 3, baseDelayMs: HOUR, maxDelayMs: HOUR } },
    );
    await inbox.start();
    const store = await inbox.store();
    // Two months ahead of the clock, made by migrate; Stripe's `created` decides an event's month.
    const handled = monthStart(new Date(), 1);
    const mixed = monthStart(new Date(), 2);
    const inHandled = (seconds: number) => ({ created: unix(handled) + seconds });
    const bodies = {
      // The last second of the month: its partition is decided by `created`, not by when it arrives.
      first: eventBody({ type: "customer.created", ...inHandled(0) }),
      last: eventBody({ type: "customer.created", created: unix(mixed) - 1 }),
      handledLater: eventBody({ type: "customer.created", created: unix(mixed) + 60 }),
      dead: eventBody({ type: "invoice.paid", created: unix(mixed) + 120 }),
      failed: eventBody({ type: "invoice.created", created: unix(mixed) + 180 }),
    };
    for (const body of Object.values(bodies)) expect((await post(inbox, body)).duplicate).toBe(false);
    const id = Object.fromEntries(Object.entries(bodies).map(([name, body]) => [name, idOf(body)])) as Record<
      keyof typeof bodies,
      string
    >;
    await expect
      .poll(() => runStates(store), { timeout: 10_000 })
      .toEqual({
        [id.first]: "succeeded",
        [id.last]: "succeeded",
        [id.handledLater]: "succeeded",
        [id.dead]: "dead",
        [id.failed]: "failed",
      });
    expect(await partitionOf(store, Object.values(id))).toEqual({
      [id.first]: partitionName("events", handled),
      [id.last]: partitionName("events", handled),
      [id.handledLater]: partitionName("events", mixed),
      [id.dead]: partitionName("events", mixed),
      [id.failed]: partitionName("events", mixed),
    });
    // A redelivery weeks later lands in the same partition, whose key answers it.
    expect((await post(inbox, bodies.last)).duplicate).toBe(true);

    // Both months have ended by this clock; only the first is all handled.
    const now = new Date(monthStart(mixed, 1).getTime() + DAY);
    const result = await prune(store, { before: new Date(now.getTime() - HOUR), now });
    expect(result.partitions).toEqual(
      expect.arrayContaining([partitionName("events", handled), partitionName("handler_runs", handled)]),
    );
    expect(result.partitions).not.toContain(partitionName("events", mixed));
    expect(result.partitionBytes).toBeGreaterThan(0);
    expect(result.events).toBe(3);
    expect(result.runs).toBe(3);
    const names = (await listPartitions(store, store.schema)).map((p) => p.name);
    expect(names).not.toContain(partitionName("events", handled));
    expect(names).not.toContain(partitionName("handler_runs", handled));
    expect(names).toContain(partitionName("events", mixed));
    expect(await runStates(store)).toEqual({ [id.dead]: "dead", [id.failed]: "failed" });

    // The dropped events' ids were kept: a late redelivery is a duplicate, runs nothing, stores nothing.
    for (const body of [bodies.first, bodies.last, bodies.handledLater]) {
      expect((await post(inbox, body)).duplicate).toBe(true);
    }
    const [stored] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${store.schema}".events`);
    expect(stored?.n).toBe(2);
    // A new event of the dropped month has no partition of its own any more: the default one takes it.
    const late = eventBody({ type: "customer.updated", ...inHandled(30) });
    expect((await post(inbox, late)).duplicate).toBe(false);
    expect((await post(inbox, late)).duplicate).toBe(true);
    expect(await partitionOf(store, [idOf(late)])).toEqual({ [idOf(late)]: "events_default" });
  });

  it("makes the next months' partitions across a month boundary, and keeps storing whatever the clock says", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false, retention: false });
    const store = await inbox.store();
    const partitionsNamed = async () => (await listPartitions(store, store.schema)).map((p) => p.name);

    // The last minute of a month, then the first of the next: one month more each time, none twice.
    const lastMinute = new Date(Date.UTC(2031, 0, 31, 23, 59));
    const made = await createPartitionsAhead(store, lastMinute);
    expect(made).toEqual(
      ["2030_12", "2031_01", "2031_02", "2031_03"].flatMap((month) =>
        ["events", "handler_runs", "deliveries"].map((table) => `${table}_${month}`),
      ),
    );
    expect(await createPartitionsAhead(store, new Date(lastMinute.getTime() + 2 * 60_000))).toEqual([
      "events_2031_04",
      "handler_runs_2031_04",
      "deliveries_2031_04",
    ]);
    expect(await createPartitionsAhead(store, lastMinute)).toEqual([]);

    // Stripe's clock, or ours, far off: no partition for that month yet, and the event is stored all the same.
    const future = eventBody({ type: "customer.created", created: unix(new Date(Date.UTC(2040, 5, 15))) });
    const past = eventBody({ type: "customer.created", created: unix(new Date(Date.UTC(1999, 0, 1))) });
    expect((await post(inbox, future)).duplicate).toBe(false);
    expect((await post(inbox, past)).duplicate).toBe(false);
    expect((await post(inbox, future)).duplicate).toBe(true);
    expect((await post(inbox, past)).duplicate).toBe(true);
    const before = await partitionOf(store, [idOf(future), idOf(past)]);
    expect(before[idOf(future)]).toBe("events_default");
    expect(before[idOf(past)]).toMatch(/^events_before_\d{4}_\d{2}$/);

    // When the clock reaches that month, its partition is made and takes the event out of the default one.
    expect(await createPartitionsAhead(store, new Date(Date.UTC(2040, 4, 20)))).toContain("events_2040_06");
    expect(await partitionOf(store, [idOf(future)])).toEqual({ [idOf(future)]: "events_2040_06" });
    expect((await post(inbox, future)).duplicate).toBe(true);
    expect(await partitionsNamed()).toContain("events_default");
  });
});
