import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { readStorage } from "../../src/retention/storage.js";
import { sample } from "../dashboard/prometheus.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const DAY = 86_400_000;

describe.each(ENGINES)("the inbox's storage on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
  });

  it("gives each table's bytes and rows, the oldest event, and what the next prune removes", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    for (let i = 0; i < 3; i++) await deliver(inbox, eventBody({ type: "customer.created" }));
    const store = await inbox.store();
    const schema = `"${store.schema}"`;
    // One event is old and handled, one old but never fanned out, one recent.
    await store.query(
      `UPDATE ${schema}.events SET received_at = received_at - interval '40 days',
              status = CASE WHEN id = (SELECT min(id) FROM ${schema}.events) THEN 'no_handler' ELSE status END
        WHERE id IN (SELECT id FROM ${schema}.events ORDER BY id LIMIT 2)`,
    );
    await store.query(`ANALYZE ${schema}.events`);
    const [oldest] = await store.query<{ at: string }>(
      `SELECT to_json(min(received_at))#>>'{}' AS at FROM ${schema}.events`,
    );

    const storage = await readStorage(store, 30 * DAY);
    const events = storage.tables.find((table) => table.name === "events");
    expect(events?.rows).toBe(3);
    expect(events?.bytes).toBeGreaterThan(0);
    expect(storage.tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(["deliveries", "events", "handler_runs", "pruned_event_ids"]),
    );
    expect(storage.oldestEventAt).toBe(oldest?.at);
    expect(storage.retention).toBe("30d");
    expect(storage.nextPrune).toMatchObject({ events: 1, deliveries: 1, runs: 0, expiredIds: 0 });
    expect((await readStorage(store, null)).nextPrune).toBeNull();
  });

  it("shows the same on /metrics, and no prunable count when retention is off", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false, retention: { keep: "1h" } });
    await deliver(inbox, eventBody({ type: "customer.created" }));
    const metrics = inbox.metrics;
    await expect
      .poll(async () => sample(await metrics.scrape(), "stripe_inbox_table_bytes", { table: "events" }), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    const text = await metrics.scrape();
    expect(sample(text, "stripe_inbox_table_rows", { table: "deliveries" })).toBe(1);
    expect(sample(text, "stripe_inbox_prunable_events", { retention: "1h" })).toBe(0);
    expect(sample(text, "stripe_inbox_oldest_event_age_seconds")).toBeGreaterThanOrEqual(0);
    await inbox.stop();

    inbox = createInbox({ secret: SECRET, ...db.config, workers: false, retention: false });
    const off = inbox.metrics;
    await expect
      .poll(async () => sample(await off.scrape(), "stripe_inbox_table_bytes", { table: "events" }), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    expect(await off.scrape()).not.toContain("stripe_inbox_prunable_events{");
  });
});
