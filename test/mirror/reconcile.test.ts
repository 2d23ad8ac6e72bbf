import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { reconcile } from "../../src/mirror/reconcile.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { dropSchema, ENGINES, openTestStore, type TestStore } from "../support/stores.js";
import { deliver } from "../support/workers.js";

describe.each(ENGINES)("reconcile against the emulator on %s", (engine) => {
  let db: TestStore;
  let emulator: RunningEmulator;
  let inbox: Inbox | undefined;
  let mirrorSchema: string | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await emulator.close();
    await db.cleanup();
    if (mirrorSchema && engine === "postgres") await dropSchema(mirrorSchema);
  });

  it("inserts exactly the events the inbox missed, across pages, and nothing on a second pass", async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_reconcile", apiBase: emulator.url }, "test");
    for (let n = 0; n < 65; n++) {
      const customer = await stripe.customers.create({ email: `c${n}@example.com` });
      await stripe.customers.update(customer.id, { name: `Customer ${n}` });
    }
    const events = emulator.events();
    expect(events.length).toBeGreaterThan(100);

    db = await openTestStore(engine);
    await db.store.close();
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    // Every third event arrived; the others were lost on the way.
    const delivered = events.filter((_, index) => index % 3 === 0);
    for (const event of delivered) await deliver(inbox, JSON.stringify(event));

    const store = await inbox.store();
    const first = await reconcile(store, stripe, { since: new Date(Date.now() - 3_600_000) });
    expect(first).toMatchObject({
      listed: events.length,
      alreadyStored: delivered.length,
      inserted: events.length - delivered.length,
    });
    const stored = await store.query<{ id: string; payload: unknown }>(
      `SELECT id, payload FROM "${db.config.schema}".events ORDER BY id`,
    );
    expect(stored.map((row) => row.id)).toEqual(events.map((event) => event.id).sort());
    const byId = new Map(events.map((event) => [event.id, event]));
    for (const row of stored) expect(row.payload).toEqual(JSON.parse(JSON.stringify(byId.get(row.id))));

    const [logged] = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${db.config.schema}".deliveries WHERE source_address = 'reconcile'`,
    );
    expect(logged?.n).toBe(first.inserted);

    const second = await reconcile(store, stripe, { since: new Date(Date.now() - 3_600_000) });
    expect(second).toMatchObject({ listed: events.length, alreadyStored: events.length, inserted: 0 });

    // Stripe keeps 30 days of events: an older start is cut to that.
    const now = new Date();
    const cut = await reconcile(store, stripe, { since: new Date(0), clock: () => now });
    expect(cut.since).toEqual(new Date(now.getTime() - 30 * 86_400_000));
    expect(cut.inserted).toBe(0);
  }, 60_000);

  it("inserts exactly the missing events of a connected account, with their account", async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_reconcile", apiBase: emulator.url }, "test");
    const connected = "acct_1ReconcileConnect";
    for (let n = 0; n < 3; n++) await stripe.customers.create({ email: `p${n}@example.com` });
    for (let n = 0; n < 6; n++) {
      await stripe.customers.create({ email: `c${n}@example.com` }, { stripeAccount: connected });
    }
    const connectedEvents = emulator.events().filter((event) => event.account === connected);
    expect(connectedEvents).toHaveLength(6);

    db = await openTestStore(engine);
    await db.store.close();
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    const delivered = connectedEvents.filter((_, index) => index % 2 === 0);
    for (const event of delivered) await deliver(inbox, JSON.stringify(event));

    const store = await inbox.store();
    const result = await reconcile(store, stripe, {
      since: new Date(Date.now() - 3_600_000),
      accounts: [connected],
    });
    expect(result).toMatchObject({ listed: 6, alreadyStored: 3, inserted: 3 });
    const stored = await store.query<{ id: string; account: string | null }>(
      `SELECT id, payload->>'account' AS account FROM "${db.config.schema}".events ORDER BY id`,
    );
    expect(stored).toEqual(
      connectedEvents.map((event) => ({ id: event.id, account: connected })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  }, 60_000);

  it("lets the handlers run on what it inserted: the mirror catches up", async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_reconcile", apiBase: emulator.url }, "test");
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const customer = await stripe.customers.create({ email: `c${n}@example.com` });
      await stripe.customers.update(customer.id, { email: `late${n}@example.com` });
      ids.push(customer.id);
    }
    db = await openTestStore(engine);
    await db.store.close();
    mirrorSchema = engine === "postgres" ? `${db.config.schema}_mirror` : "stripe";
    inbox = createInbox({ secret: SECRET, ...db.config, mirror: { schema: mirrorSchema }, workers: { pollMs: 20 } });
    await inbox.start();
    const store = await inbox.store();
    expect((await reconcile(store, stripe, { since: new Date(Date.now() - 3_600_000) })).inserted).toBe(10);
    const emails = async () =>
      (
        await store.query<{ email: string }>(
          `SELECT email FROM "${mirrorSchema}".customers WHERE id = ANY($1::text[]) ORDER BY email`,
          [ids],
        )
      ).map((row) => row.email);
    await expect.poll(emails, { timeout: 15_000 }).toEqual(ids.map((_, n) => `late${n}@example.com`));
  }, 60_000);
});
