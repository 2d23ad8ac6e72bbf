import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createMirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import { type ObjectSnapshot, snapshotOf } from "../../src/mirror/snapshot.js";
import { tieRefetcher } from "../../src/mirror/tie-refetch.js";
import type { Queryable } from "../../src/store/store.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { dropSchema, ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";
import { type MirrorTestDb, mirrorEvent, objectId, openMirrorTestDb } from "./support.js";

const T = 1_760_000_000;

// Every object and event the emulator makes is stamped with this one second: each pair of events is a tie.
const TIED_SECOND = Math.floor(Date.now() / 1000) - 60;

describe.each(ENGINES)("a same-second tie against the emulator on %s", (engine) => {
  let db: WorkerTestDb;
  let emulator: RunningEmulator;
  let inbox: Inbox;
  let mirrorSchema: string;
  let stripe: Stripe;
  afterEach(async () => {
    await inbox.stop();
    await emulator.close();
    if (engine === "postgres") await dropSchema(mirrorSchema);
    await db.cleanup();
  });

  const open = async (stripeApiKey: string | undefined) => {
    emulator = await startEmulator({ port: 0, clock: () => new Date(TIED_SECOND * 1000) });
    stripe = createStripeClient({ apiKey: "sk_test_ties", apiBase: emulator.url }, "test");
    db = await openWorkerTestDb(engine);
    mirrorSchema = engine === "postgres" ? `${db.config.schema}_mirror` : "stripe";
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      stripe: { apiKey: stripeApiKey, apiBase: emulator.url },
      mirror: { schema: mirrorSchema },
      workers: { pollMs: 20 },
    });
    await inbox.start();
  };
  /** A customer updated three times within the tied second: its events and the id. */
  const customerUpdatedThrice = async () => {
    const customer = await stripe.customers.create({ email: "created@example.com" });
    for (const email of ["a@example.com", "b@example.com", "current@example.com"]) {
      await stripe.customers.update(customer.id, { email });
    }
    const updates = emulator
      .events()
      .filter((event) => event.type === "customer.updated" && (event.data.object as { id: string }).id === customer.id);
    return { id: customer.id, updates };
  };
  const row = async (id: string) => {
    const store = await inbox.store();
    const [found] = await store.query<{ email: string; last_event_id: string; stamp: number }>(
      `SELECT email, last_event_id, extract(epoch FROM last_event_created)::float8 AS stamp
         FROM "${mirrorSchema}".customers WHERE id = $1`,
      [id],
    );
    return found ?? null;
  };
  const retrievals = (id: string) =>
    emulator.requests().filter((request) => request.method === "GET" && request.path === `/v1/customers/${id}`).length;

  it("applies the object as the API has it, stamped after the tied second, when another event wrote that second", async () => {
    await open("sk_test_ties");
    const { id, updates } = await customerUpdatedThrice();
    const [first, second] = updates;
    await deliver(inbox, JSON.stringify(first));
    await expect.poll(() => row(id), { timeout: 15_000 }).toMatchObject({ email: "a@example.com" });
    expect(retrievals(id)).toBe(0);

    await deliver(inbox, JSON.stringify(second));
    await expect.poll(async () => (await row(id))?.email, { timeout: 15_000 }).toBe("current@example.com");
    expect(retrievals(id)).toBe(1);
    const refetched = await row(id);
    expect(refetched?.stamp).toBeGreaterThan(TIED_SECOND);
    expect(refetched?.last_event_id).toBe(second?.id);
  });

  it("without an API key, settles the tie by the deterministic rule and calls no API", async () => {
    await open(undefined);
    const { id, updates } = await customerUpdatedThrice();
    const [first, second] = updates;
    if (!first || !second) throw new Error("the emulator emitted too few updates");
    await deliver(inbox, JSON.stringify(first));
    await expect.poll(() => row(id), { timeout: 15_000 }).toMatchObject({ email: "a@example.com" });
    await deliver(inbox, JSON.stringify(second));
    const winner = first.id > second.id ? first : second;
    const store = await inbox.store();
    await expect
      .poll(
        async () =>
          (
            await store.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM "${db.config.schema}".handler_runs WHERE status = 'succeeded'`,
            )
          )[0]?.n,
        { timeout: 15_000 },
      )
      .toBe(2);
    expect(await row(id)).toMatchObject({
      email: (winner.data.object as { email: string }).email,
      last_event_id: winner.id,
      stamp: TIED_SECOND,
    });
    expect(retrievals(id)).toBe(0);
  });
});

describe.each(ENGINES)("the tie check's reads on %s", (engine) => {
  let db: MirrorTestDb;
  afterEach(() => db.cleanup());

  it("reads the stamps asked for together with one query per table, each run getting its own row's", async () => {
    db = await openMirrorTestDb(engine);
    await migrateMirror(db.store, db.mirrorSchema);
    const mirror = createMirror(db.mirrorSchema);
    const customers = [objectId("cus"), objectId("cus"), objectId("cus")];
    const product = objectId("prod");
    const stored = [
      ...customers.map((id, n) =>
        mirrorEvent({ type: "customer.updated", created: T + n, object: { id, object: "customer" } }),
      ),
      mirrorEvent({ type: "product.updated", created: T, object: { id: product, object: "product" } }),
    ];
    for (const event of stored) await db.store.transaction((tx) => mirror.apply(tx, event));

    let queries = 0;
    const counted: Queryable = {
      query: (sql, params, options) => {
        queries++;
        return db.store.query(sql, params, options);
      },
      exec: (sql) => db.store.exec(sql),
    };
    let fetched = 0;
    const settle = tieRefetcher(
      {
        // Every object the API is asked for is gone: the tie then keeps the event as sent, which is all this test needs.
        stripe: () => {
          fetched++;
          return { customers: { retrieve: missing }, products: { retrieve: missing } } as unknown as Stripe;
        },
        store: async () => counted,
      },
      db.mirrorSchema,
    );
    // Three tie with their row's second; the second customer's is a second newer, the last customer has no row.
    const incoming = [
      mirrorEvent({ type: "customer.updated", created: T, object: { id: customers[0] as string, object: "customer" } }),
      mirrorEvent({
        type: "customer.updated",
        created: T + 2,
        object: { id: customers[1] as string, object: "customer" },
      }),
      mirrorEvent({
        type: "customer.updated",
        created: T + 2,
        object: { id: customers[2] as string, object: "customer" },
      }),
      mirrorEvent({ type: "product.updated", created: T, object: { id: product, object: "product" } }),
      mirrorEvent({ type: "customer.updated", created: T, object: { id: objectId("cus"), object: "customer" } }),
    ];
    await Promise.all(incoming.map((event) => settle(event, snapshotOf(event) as ObjectSnapshot)));
    expect(queries).toBe(2);
    expect(fetched).toBe(3);
  });
});

async function missing(): Promise<never> {
  throw new Stripe.errors.StripeInvalidRequestError({ type: "invalid_request_error", code: "resource_missing" });
}
