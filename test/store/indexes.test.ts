import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchEvents } from "../../src/dashboard/event-search.js";
import { readQueueState } from "../../src/metrics/queue-state.js";
import { migrate } from "../../src/store/migrate.js";
import type { Store } from "../../src/store/store.js";
import { openTestStore, type TestStore } from "../support/stores.js";

/** The same store, but every query is first explained, and its plan kept: what the dashboard and scrape really run. */
function explaining(store: Store, plans: string[]): Store {
  return {
    ...store,
    schema: store.schema,
    engine: store.engine,
    concurrency: store.concurrency,
    transaction: store.transaction.bind(store),
    exec: store.exec.bind(store),
    close: store.close.bind(store),
    async query<Row extends object>(sql: string, params?: readonly unknown[]) {
      const plan = await store.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
      plans.push(plan.map((line) => line["QUERY PLAN"]).join("\n"));
      return store.query<Row>(sql, params);
    },
  };
}

describe("the indexes of migration 0006 on Postgres", () => {
  let db: TestStore;
  beforeAll(async () => {
    db = await openTestStore("postgres");
    await migrate(db.store);
    const schema = `"${db.config.schema}"`;
    // 20,000 events about 2,000 objects, one run each, 1 % dead.
    await db.store.query(
      `INSERT INTO ${schema}.events (id, type, object, created, livemode, data_object_id, payload, received_at, status)
       SELECT 'evt_' || i, 'invoice.paid', 'event', now() - i * interval '1 s', false, 'in_' || (i % 2000), '{}',
              now() - i * interval '1 s', 'dispatched'
         FROM generate_series(1, 20000) i`,
    );
    await db.store.query(
      `INSERT INTO ${schema}.handler_runs (event_id, handler, status, max_attempts, run_at, event_created)
       SELECT 'evt_' || i, 'book-revenue', CASE WHEN i % 100 = 0 THEN 'dead' ELSE 'succeeded' END, 3, now(), now()
         FROM generate_series(1, 20000) i`,
    );
    await db.store.query(`ANALYZE ${schema}.events, ${schema}.handler_runs`);
  });
  afterAll(() => db.cleanup());

  it("finds the events about one object through events_data_object_id_idx, for the filter and the search", async () => {
    const plans: string[] = [];
    const store = explaining(db.store, plans);
    const byObject = await searchEvents(store, { objectId: "in_42", limit: 50 });
    const bySearch = await searchEvents(store, { query: "in_42", limit: 50 });
    expect(byObject.data).toHaveLength(10);
    expect(bySearch.data).toHaveLength(10);
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).toMatch(/events_\w*data_object_id_idx/);
      // The rows are in the first partition (migration 0012); the month partitions are empty, and read as such.
      expect(plan).not.toMatch(/Seq Scan on events_before/);
    }
  });

  it("lists the dead letters from handler_runs_dead_idx, not by reading every event", async () => {
    const plans: string[] = [];
    const page = await searchEvents(explaining(db.store, plans), { status: "dead", limit: 50 });
    expect(page.data).toHaveLength(50);
    expect(page.data.every((event) => event.status === "dead")).toBe(true);
    expect(plans[0]).toMatch(/handler_runs_\w*dead_idx/);
    expect(plans[0]).not.toMatch(/Seq Scan on events_before/);
  });

  it("counts the dead runs through handler_runs_dead_idx, not a scan of every run", async () => {
    const plans: string[] = [];
    const state = await readQueueState(explaining(db.store, plans));
    expect(state.runs.dead).toBe(200);
    expect(plans[0]).toMatch(/handler_runs_\w*dead_idx/);
    expect(plans[0]).not.toMatch(/Seq Scan on handler_runs_before/);
  });
});
