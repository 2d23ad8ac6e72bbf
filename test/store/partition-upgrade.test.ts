import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { applyMigrations, migrate } from "../../src/store/migrate.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { ENGINES, openTestStore, type TestStore, tempDir } from "../support/stores.js";

const EVENTS = 300;
const HOUR = 3_600_000;

/** The migrations as released before partitioning (0001 to 0009): the schema an existing inbox has. */
function unpartitionedMigrations(): URL {
  const source = new URL("../../src/store/migrations/", import.meta.url);
  const directory = tempDir("stripe-inbox-migrations-");
  for (const name of readdirSync(source).filter((file) => /^000\d-/.test(file))) {
    cpSync(new URL(name, source), join(directory, name));
  }
  return pathToFileURL(`${directory}/`);
}

async function post(inbox: Inbox, body: string) {
  const response = await inbox.fetch(
    new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { duplicate: boolean };
}

describe.each(ENGINES)("upgrading an unpartitioned inbox on %s", (engine) => {
  let db: TestStore;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    inbox = undefined;
    await db.cleanup();
  });

  it("keeps every row, moves none, and stays an exact dedupe; workers go on with the runs left", async () => {
    db = await openTestStore(engine);
    const { store } = db;
    const schema = `"${store.schema}"`;
    await applyMigrations(store, {
      directory: unpartitionedMigrations(),
      schema: store.schema,
      trackingTable: "migrations",
      lockKey: `stripe_inbox.migrate.${store.schema}`,
    });
    // Events of the last weeks as the old schema holds them: handled ones, one with a run still pending, a pruned id.
    const bodies = Array.from({ length: EVENTS }, (_, i) =>
      eventBody({ id: `evt_old_${i}`, type: "customer.created", created: Math.floor((Date.now() - i * HOUR) / 1000) }),
    );
    await store.query(
      `INSERT INTO ${schema}.events (id, type, object, created, livemode, data_object_id, payload, received_at, status)
       SELECT b->>'id', b->>'type', 'event', to_timestamp((b->>'created')::bigint), false, b#>>'{data,object,id}', b,
              to_timestamp((b->>'created')::bigint), 'dispatched'
         FROM unnest($1::json[]) AS b`,
      [bodies],
    );
    await store.query(
      `INSERT INTO ${schema}.handler_runs (event_id, handler, status, max_attempts, run_at, event_created, attempts)
       SELECT id, 'crm', CASE WHEN id = 'evt_old_7' THEN 'pending' ELSE 'succeeded' END, 3, now(), created,
              CASE WHEN id = 'evt_old_7' THEN 0 ELSE 1 END
         FROM ${schema}.events`,
    );
    await store.query(
      `INSERT INTO ${schema}.deliveries (received_at, event_id, outcome, body_bytes)
       SELECT received_at, id, 'stored', 1000 FROM ${schema}.events`,
    );
    const prunedBody = eventBody({ type: "customer.created" });
    await store.query(
      `INSERT INTO ${schema}.pruned_event_ids (id, pruned_at, keep_until) VALUES ($1, now(), now() + interval '3 days')`,
      [JSON.parse(prunedBody).id],
    );
    const snapshot = async () =>
      store.query<{ events: string; runs: string; deliveries: string }>(
        `SELECT (SELECT string_agg(id || status || created::text || md5(payload::text), ',' ORDER BY id) FROM ${schema}.events) AS events,
                (SELECT string_agg(event_id || handler || status, ',' ORDER BY event_id) FROM ${schema}.handler_runs) AS runs,
                (SELECT string_agg(id::text || event_id, ',' ORDER BY id) FROM ${schema}.deliveries) AS deliveries`,
      );
    const before = await snapshot();

    await migrate(store);
    expect(await snapshot()).toEqual(before);
    // Every old row is in the old table, now the first partition: nothing was copied.
    const holders = await store.query<{ partition: string; n: number }>(
      `SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM ${schema}.events GROUP BY 1`,
    );
    expect(holders).toEqual([{ partition: expect.stringMatching(/events_before_\d{4}_\d{2}$/), n: EVENTS }]);
    await store.close();

    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20 }, retention: false });
    const handled: string[] = [];
    inbox.on(
      "customer.created",
      async (event) => {
        handled.push(event.id);
      },
      { name: "crm" },
    );
    await inbox.start();
    // Redeliveries of old events and of a pruned one are duplicates; a new event is stored and handled.
    expect((await post(inbox, bodies[0] as string)).duplicate).toBe(true);
    expect((await post(inbox, bodies[EVENTS - 1] as string)).duplicate).toBe(true);
    expect((await post(inbox, prunedBody)).duplicate).toBe(true);
    const fresh = eventBody({ type: "customer.created" });
    expect((await post(inbox, fresh)).duplicate).toBe(false);
    expect((await post(inbox, fresh)).duplicate).toBe(true);
    await expect
      .poll(() => [...handled].sort(), { timeout: 10_000 })
      .toEqual([JSON.parse(fresh).id, "evt_old_7"].sort());
    const upgraded = await inbox.store();
    const [counts] = await upgraded.query<{ events: number; deliveries: number; fresh_after_old: boolean }>(
      `SELECT (SELECT count(*) FROM ${schema}.events)::int AS events,
              (SELECT count(*) FROM ${schema}.deliveries)::int AS deliveries,
              (SELECT min(id) FROM ${schema}.deliveries WHERE event_id = $1)
                > (SELECT max(id) FROM ${schema}.deliveries WHERE event_id LIKE 'evt_old_%' AND outcome = 'stored') AS fresh_after_old`,
      [JSON.parse(fresh).id],
    );
    expect(counts).toEqual({ events: EVENTS + 1, deliveries: EVENTS + 5, fresh_after_old: true });
  });
});
