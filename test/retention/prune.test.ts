import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { prune } from "../../src/retention/prune.js";
import type { Store } from "../../src/store/store.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { dropSchema, ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const POLL_MS = 20;
const HOUR = 3_600_000;

function idOf(body: string): string {
  return (JSON.parse(body) as { id: string }).id;
}

async function post(inbox: Inbox, body: string, headers = signedHeaders(body)) {
  const response = await inbox.fetch(
    new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers, body }),
  );
  return { status: response.status, body: (await response.json()) as { duplicate?: boolean } };
}

/** Each stored event's status and its runs' statuses, by event id. */
async function inboxState(store: Store): Promise<Map<string, string>> {
  const schema = `"${store.schema}"`;
  const rows = await store.query<{ id: string; state: string }>(
    `SELECT e.id, e.status || ':' || coalesce(string_agg(r.handler || '=' || r.status, ',' ORDER BY r.handler), '') AS state
       FROM ${schema}.events e LEFT JOIN ${schema}.handler_runs r ON r.event_id = e.id GROUP BY e.id, e.status`,
  );
  return new Map(rows.map((row) => [row.id, row.state]));
}

async function count(store: Store, sql: string): Promise<number> {
  const [row] = await store.query<{ n: number }>(sql);
  return Number(row?.n);
}

describe.each(ENGINES)("prune on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  const schemas: string[] = [];
  afterEach(async () => {
    await inbox?.stop();
    inbox = undefined;
    for (const schema of schemas.splice(0)) await dropSchema(schema);
    await db?.cleanup();
  });

  it("removes finished events with their runs and deliveries, and keeps every event with work not done", async () => {
    db = await openWorkerTestDb(engine);
    let releaseSlow = () => {};
    let slowStarted = () => {};
    const slowRunning = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: POLL_MS }, retention: false });
    inbox.on("customer.*", async () => {}, { name: "customer-log" });
    inbox.on(
      "customer.updated",
      async () => {
        throw new Error("CRM down");
      },
      { name: "crm", retry: { maxAttempts: 1 } },
    );
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
    inbox.on(
      "charge.succeeded",
      async () => {
        slowStarted();
        await new Promise<void>((resolve) => {
          releaseSlow = resolve;
        });
      },
      { name: "slow" },
    );
    inbox.on("price.created", async () => {}, { name: "prices" });
    await inbox.start();
    await inbox.handlers.pause("prices", "held for the test");
    const store = await inbox.store();

    const bodies = {
      succeeded: eventBody({ type: "customer.created" }),
      oneDead: eventBody({ type: "customer.updated" }),
      dead: eventBody({ type: "invoice.paid" }),
      failed: eventBody({ type: "invoice.created" }),
      running: eventBody({ type: "charge.succeeded" }),
      pendingRun: eventBody({ type: "price.created" }),
      noHandler: eventBody({ type: "product.created" }),
    };
    for (const body of Object.values(bodies)) await deliver(inbox, body);
    const rejected = eventBody({ type: "customer.created" });
    expect((await post(inbox, rejected, signedHeaders(rejected, "whsec_not_ours"))).status).toBe(400);
    await slowRunning;
    const id = Object.fromEntries(Object.entries(bodies).map(([name, body]) => [name, idOf(body)]));
    const expected = new Map([
      [id.succeeded, "dispatched:customer-log=succeeded"],
      [id.oneDead, "dispatched:crm=dead,customer-log=succeeded"],
      [id.dead, "dispatched:ledger=dead"],
      [id.failed, "dispatched:warehouse=failed"],
      [id.running, "dispatched:slow=running"],
      [id.pendingRun, "dispatched:prices=pending"],
      [id.noHandler, "no_handler:"],
    ]);
    await expect.poll(() => inboxState(store), { timeout: 10_000 }).toEqual(expected);
    const schema = `"${store.schema}"`;
    const rejectedRows = `SELECT count(*)::int AS n FROM ${schema}.deliveries WHERE event_id IS NULL`;
    await expect.poll(() => count(store, rejectedRows)).toBe(1);

    const before = new Date();
    const dryRun = await inbox.prune({ before, dryRun: true });
    expect(dryRun).toMatchObject({ dryRun: true, events: 2, runs: 1, deliveries: 3, expiredIds: 0 });
    expect(await inboxState(store)).toEqual(expected);

    const result = await inbox.prune({ before });
    expect(result).toMatchObject({ dryRun: false, events: 2, runs: 1, deliveries: 3, expiredIds: 0 });
    expect(result.payloadBytes).toBeGreaterThan(0);
    expected.delete(id.succeeded);
    expected.delete(id.noHandler);
    expect(await inboxState(store)).toEqual(expected);
    expect(await count(store, rejectedRows)).toBe(0);
    expect(await count(store, `SELECT count(*)::int AS n FROM ${schema}.deliveries`)).toBe(5);
    const pruned = await store.query<{ id: string; keep_until: Date }>(
      `SELECT id, keep_until FROM ${schema}.pruned_event_ids ORDER BY id`,
    );
    expect(pruned.map((row) => row.id)).toEqual([id.noHandler, id.succeeded].sort());
    // At least three days past the cut, Stripe's redelivery window.
    for (const row of pruned)
      expect(new Date(row.keep_until).getTime()).toBeGreaterThanOrEqual(before.getTime() + 3 * 24 * HOUR);

    // The running handler finishes after the prune: its event goes at the next one, and nothing else does.
    releaseSlow();
    expected.set(id.running, "dispatched:slow=succeeded");
    await expect.poll(() => inboxState(store), { timeout: 10_000 }).toEqual(expected);
    expect(await inbox.prune({ before: new Date() })).toMatchObject({ events: 1, runs: 1, deliveries: 1 });
    expected.delete(id.running);
    expect(await inboxState(store)).toEqual(expected);
  });

  it("keeps what was received after the cut, and an event still waiting to be fanned out", async () => {
    db = await openWorkerTestDb(engine);
    // Receives only: nothing fans its events out.
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    const old = eventBody({ type: "customer.created" });
    await deliver(inbox, old);
    const store = await inbox.store();
    const schema = `"${store.schema}"`;
    await store.query(`UPDATE ${schema}.events SET status = 'no_handler'`);
    await store.query(`UPDATE ${schema}.events SET received_at = received_at - interval '40 days'`);
    await store.query(`UPDATE ${schema}.deliveries SET received_at = received_at - interval '40 days'`);
    const waiting = eventBody({ type: "customer.created" });
    await deliver(inbox, waiting);
    await store.query(
      `UPDATE ${schema}.events SET received_at = received_at - interval '40 days' WHERE id = '${idOf(waiting)}'`,
    );
    const recent = eventBody({ type: "customer.created" });
    await deliver(inbox, recent);
    await store.query(`UPDATE ${schema}.events SET status = 'no_handler' WHERE id = '${idOf(recent)}'`);

    const cut = new Date(Date.now() - 30 * 24 * HOUR);
    // A prune told to stop (the process is stopping) removes nothing more.
    expect(await prune(store, { before: cut, signal: AbortSignal.abort() })).toMatchObject({
      events: 0,
      deliveries: 0,
    });
    expect((await inboxState(store)).size).toBe(3);
    const result = await inbox.prune({ before: cut });
    expect(result).toMatchObject({ events: 1, deliveries: 1, runs: 0 });
    expect([...(await inboxState(store)).keys()].sort()).toEqual([idOf(waiting), idOf(recent)].sort());
  });

  it("answers a late redelivery of a pruned event as a duplicate and runs nothing, until its id expires", async () => {
    db = await openWorkerTestDb(engine);
    const handled: string[] = [];
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: POLL_MS }, retention: false });
    inbox.on("customer.created", async (event) => void handled.push(event.id), { name: "welcome" });
    await inbox.start();
    const store = await inbox.store();
    const body = eventBody({ type: "customer.created" });
    const id = idOf(body);
    expect((await post(inbox, body)).body).toMatchObject({ duplicate: false });
    await expect
      .poll(() => inboxState(store), { timeout: 10_000 })
      .toEqual(new Map([[id, "dispatched:welcome=succeeded"]]));
    expect(await inbox.prune({ before: new Date() })).toMatchObject({ events: 1, runs: 1, deliveries: 1 });

    const again = await post(inbox, body);
    expect(again).toEqual({ status: 200, body: { received: true, id, duplicate: true } });
    // A prune after the redelivery removes its delivery row too: its event is gone.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
    expect(handled).toEqual([id]);
    expect((await inboxState(store)).size).toBe(0);
    const schema = `"${store.schema}"`;
    expect(await count(store, `SELECT count(*)::int AS n FROM ${schema}.deliveries WHERE outcome = 'duplicate'`)).toBe(
      1,
    );

    // Once the id's time is up it is removed, and the id would be stored as new again.
    const later = new Date(Date.now() + 4 * 24 * HOUR);
    expect(await prune(store, { before: later, now: later })).toMatchObject({ expiredIds: 1, deliveries: 1 });
    expect(await count(store, `SELECT count(*)::int AS n FROM ${schema}.pruned_event_ids`)).toBe(0);
  });

  it("never touches the mirror", async () => {
    db = await openWorkerTestDb(engine);
    const mirrorSchema = `${db.config.schema}_mirror`;
    if (engine === "postgres") schemas.push(mirrorSchema);
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      workers: { pollMs: POLL_MS },
      mirror: { schema: mirrorSchema },
      retention: false,
    });
    await inbox.start();
    const store = await inbox.store();
    const bodies = [eventBody({ type: "customer.created" }), eventBody({ type: "customer.created" })];
    for (const body of bodies) await deliver(inbox, body);
    await expect
      .poll(async () => [...(await inboxState(store)).values()], { timeout: 10_000 })
      .toEqual(["dispatched:stripe-inbox.mirror=succeeded", "dispatched:stripe-inbox.mirror=succeeded"]);
    const customers = `SELECT count(*)::int AS n FROM "${mirrorSchema}".customers`;
    expect(await count(store, customers)).toBe(2);
    expect(await inbox.prune({ before: new Date() })).toMatchObject({ events: 2 });
    expect(await count(store, customers)).toBe(2);
  });
});
