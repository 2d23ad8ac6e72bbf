import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { dropSchema, ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

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
      stripeApiKey,
      stripeApiBase: emulator.url,
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
