import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { dropSchema, ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";
import { mirrorEvent } from "./support.js";

describe.each(ENGINES)("revalidating snapshots against the emulator on %s", (engine) => {
  let db: WorkerTestDb;
  let emulator: RunningEmulator;
  let inbox: Inbox;
  let stripe: Stripe;
  let mirrorSchema: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    stripe = createStripeClient({ apiKey: "sk_test_revalidate", apiBase: emulator.url }, "test");
    db = await openWorkerTestDb(engine);
    mirrorSchema = engine === "postgres" ? `${db.config.schema}_mirror` : "stripe";
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      stripe: { apiKey: "sk_test_revalidate", apiBase: emulator.url },
      mirror: { schema: mirrorSchema, revalidate: ["customers"] },
      workers: { pollMs: 20 },
    });
    await inbox.start();
  }, 60_000);
  afterAll(async () => {
    await inbox.stop();
    await emulator.close();
    if (engine === "postgres") await dropSchema(mirrorSchema);
    await db.cleanup();
  });

  const mirrored = async (id: string) => {
    const store = await inbox.store();
    const [row] = await store.query<{ email: string; api_version: string }>(
      `SELECT email, api_version FROM "${mirrorSchema}".customers WHERE id = $1`,
      [id],
    );
    return row ?? null;
  };
  const staleEvent = (customer: Stripe.Customer) =>
    JSON.stringify(
      mirrorEvent({
        type: "customer.updated",
        object: { ...customer, object: "customer", email: "stale@example.com" },
        created: Math.floor(Date.now() / 1000),
      }),
    );

  it("writes the object as the API has it, not the event's snapshot", async () => {
    const customer = await stripe.customers.create({ email: "first@example.com" });
    await stripe.customers.update(customer.id, { email: "current@example.com" });
    await deliver(inbox, staleEvent(customer));
    await expect
      .poll(() => mirrored(customer.id), { timeout: 15_000 })
      .toEqual({
        email: "current@example.com",
        api_version: Stripe.API_VERSION,
      });
  });

  it.each([429, 500] as const)(
    "retries the API's %ss, which say Stripe-Should-Retry, within the same run",
    async (status) => {
      const customer = await stripe.customers.create({ email: "current@example.com" });
      const failedBefore = emulator.requests().filter((request) => request.status === status).length;
      emulator.setFaults({ apiErrors: { status, count: 2 } });
      const body = staleEvent(customer);
      await deliver(inbox, body);
      await expect
        .poll(() => mirrored(customer.id), { timeout: 15_000 })
        .toMatchObject({ email: "current@example.com" });
      expect(emulator.requests().filter((request) => request.status === status).length - failedBefore).toBe(2);
      const store = await inbox.store();
      const runs = await store.query<{ attempts: number }>(
        `SELECT attempts FROM "${db.config.schema}".handler_runs WHERE event_id = $1`,
        [(JSON.parse(body) as { id: string }).id],
      );
      expect(runs).toEqual([{ attempts: 1 }]);
    },
  );

  it("fetches a connected account's object as that account (Stripe-Account), into its row", async () => {
    const account = "acct_1RevalidateConnect";
    const customer = await stripe.customers.create({ email: "first@example.com" }, { stripeAccount: account });
    await stripe.customers.update(customer.id, { email: "connected@example.com" }, { stripeAccount: account });
    const event = mirrorEvent({
      type: "customer.updated",
      object: { ...customer, object: "customer", email: "stale@example.com" },
      created: Math.floor(Date.now() / 1000),
      account,
    });
    await deliver(inbox, JSON.stringify(event));
    const store = await inbox.store();
    const row = async () =>
      (
        await store.query<{ email: string }>(
          `SELECT email FROM "${mirrorSchema}".customers WHERE account = $1 AND id = $2`,
          [account, customer.id],
        )
      )[0]?.email;
    await expect.poll(row, { timeout: 15_000 }).toBe("connected@example.com");
    const sent = emulator.requests().filter((request) => request.path === `/v1/customers/${customer.id}`);
    expect(sent.map((request) => [request.method, request.stripeAccount])).toContainEqual(["GET", account]);
  });

  it("keeps the event's snapshot for an object the API does not have", async () => {
    const event = mirrorEvent({
      type: "customer.updated",
      object: { id: "cus_unknown_to_the_api", object: "customer", email: "event@example.com" },
      created: Math.floor(Date.now() / 1000),
    });
    await deliver(inbox, JSON.stringify(event));
    await expect
      .poll(() => mirrored("cus_unknown_to_the_api"), { timeout: 15_000 })
      .toMatchObject({ email: "event@example.com" });
  });
});

describe("revalidation settings", () => {
  it("refuse revalidation without an API key, and types it cannot fetch", () => {
    expect(() => createInbox({ secret: SECRET, mirror: { revalidate: ["customers"] } })).toThrow(/STRIPE_API_KEY/);
    expect(() =>
      createInbox({ secret: SECRET, stripe: { apiKey: "sk_test_x" }, mirror: { revalidate: ["widgets"] } }),
    ).toThrow(/Cannot revalidate widgets; known types: customers/);
  });
});
