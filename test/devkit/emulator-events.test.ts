import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { type EmulatorClient, inboxWithEndpoint, startEmulatorClient, type TestInbox } from "./emulator-setup.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(): Promise<EmulatorClient> {
  const ctx = await startEmulatorClient();
  cleanups.push(() => ctx.emulator.close());
  return ctx;
}

async function inboxEndpoint({ stripe }: EmulatorClient): Promise<TestInbox> {
  const inbox = await inboxWithEndpoint(stripe);
  cleanups.push(() => inbox.close());
  return inbox;
}

async function deliveries(inbox: TestInbox): Promise<{ event_id: string; outcome: string }[]> {
  return (await inbox.deliveries()).map(({ event_id, outcome }) => ({ event_id, outcome }));
}

describe("the events API", () => {
  it("filters by type with Stripe's * wildcard, by types[], and by created ranges", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const emulator = await startEmulator({ port: 0, clock: () => now });
    cleanups.push(() => emulator.close());
    const stripe = createStripeClient({ apiKey: "sk_test_events", apiBase: emulator.url }, "test");
    const customer = await stripe.customers.create({});
    now = new Date("2026-01-02T00:00:00Z");
    await stripe.customers.update(customer.id, { name: "N" });
    await stripe.products.create({ name: "P" });
    const types = async (params: Stripe.EventListParams) => (await stripe.events.list(params)).data.map((e) => e.type);

    expect(await types({ type: "customer.*" })).toEqual(["customer.updated", "customer.created"]);
    expect(await types({ type: "*.created" })).toEqual(["product.created", "customer.created"]);
    expect(await types({ types: ["product.created", "customer.updated"] })).toEqual([
      "product.created",
      "customer.updated",
    ]);
    const jan2 = Date.parse("2026-01-02T00:00:00Z") / 1000;
    expect(await types({ created: { gte: jan2 } })).toEqual(["product.created", "customer.updated"]);
    expect(await types({ created: { lt: jan2 } })).toEqual(["customer.created"]);
    const event = (await stripe.events.list({ limit: 1 })).data[0] as Stripe.Event;
    expect(await stripe.events.retrieve(event.id)).toMatchObject({ id: event.id, object: "event", livemode: false });
    expect(event.api_version).toBe(Stripe.API_VERSION);
    const missing = await stripe.events.retrieve("evt_missing").catch((e) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("records on each event the Stripe-Version of the request that caused it, or else the account's", async () => {
    const emulator = await startEmulator({ port: 0, apiVersion: "2024-12-18.acacia" });
    cleanups.push(() => emulator.close());
    const stripe = createStripeClient({ apiKey: "sk_test_versions", apiBase: emulator.url }, "test");
    const pinned = await stripe.customers.create({ email: "pinned@example.com" }, { apiVersion: "2024-06-20" });
    const raw = await fetch(`${emulator.url}/v1/customers`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_versions", "content-type": "application/x-www-form-urlencoded" },
      body: "email=unpinned%40example.com",
    });
    const unpinned = (await raw.json()) as { id: string };
    const versionOf = (customer: string) =>
      emulator.events().find((event) => (event.data.object as { id: string }).id === customer)?.api_version;
    expect(versionOf(pinned.id)).toBe("2024-06-20");
    expect(versionOf(unpinned.id)).toBe("2024-12-18.acacia");
    const listed = await stripe.events.list({ type: "customer.created" });
    expect(listed.data.map((event) => event.api_version)).toEqual(["2024-12-18.acacia", "2024-06-20"]);
  });

  it("refuses type and types together, naming types", async () => {
    const { stripe } = await started();
    const error = await stripe.events.list({ type: "a", types: ["b"] }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, param: "types" });
  });
});

describe("fault switches", () => {
  it("sends every delivery twice with duplicateDeliveries, and the inbox records the second as a duplicate", async () => {
    const ctx = await started();
    const inbox = await inboxEndpoint(ctx);
    ctx.emulator.setFaults({ duplicateDeliveries: true });
    const customer = await ctx.stripe.customers.create({});
    await ctx.emulator.deliveriesSettled();
    const created = ctx.emulator.events().find((event) => event.type === "customer.created");
    expect((created?.data.object as Stripe.Customer | undefined)?.id).toBe(customer.id);
    expect(await deliveries(inbox)).toEqual([
      { event_id: created?.id, outcome: "stored" },
      { event_id: created?.id, outcome: "duplicate" },
    ]);
  });

  it("delivers in shuffled order with shuffleDeliveries, set through POST /_emulator/faults", async () => {
    const ctx = await started();
    const inbox = await inboxEndpoint(ctx);
    const response = await fetch(`${ctx.emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ shuffleDeliveries: true, deliveryDelayMs: 200 }),
    });
    expect(await response.json()).toEqual({ shuffleDeliveries: true, deliveryDelayMs: 200 });
    for (let index = 0; index < 8; index++) await ctx.stripe.products.create({ name: `P${index}` });
    await ctx.emulator.deliveriesSettled();
    const emitted = ctx.emulator.events().map((event) => event.id);
    const received = (await deliveries(inbox)).map((row) => row.event_id);
    expect(new Set(received)).toEqual(new Set(emitted));
    expect(received).not.toEqual(emitted);
  });

  it("holds deliveries back by deliveryDelayMs", async () => {
    const ctx = await started();
    await inboxEndpoint(ctx);
    ctx.emulator.setFaults({ deliveryDelayMs: 300 });
    const start = Date.now();
    await ctx.stripe.customers.create({});
    await ctx.emulator.deliveriesSettled();
    const [attempt] = ctx.emulator.deliveries();
    expect(attempt?.status).toBe(200);
    expect((attempt?.at.getTime() ?? 0) - start).toBeGreaterThanOrEqual(300);
  });

  it("answers one API request 500 and the client's retry succeeds with the same idempotency key", async () => {
    const ctx = await started();
    ctx.emulator.setFaults({ apiErrors: { status: 500, count: 1 } });
    const customer = await ctx.stripe.customers.create({ email: "retry@example.com" });
    const requests = ctx.emulator.requests();
    expect(requests.map((request) => request.status)).toEqual([500, 200]);
    expect(requests[0]?.idempotencyKey).toBe(requests[1]?.idempotencyKey);
    expect(customer.email).toBe("retry@example.com");
  });

  it("answers 429 until the switch runs out, and the client raises StripeRateLimitError", async () => {
    const ctx = await started();
    ctx.emulator.setFaults({ apiErrors: { status: 429, count: 3 } });
    const error = await ctx.stripe.customers.list().catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: "rate_limit" });
    expect((await ctx.stripe.customers.list()).object).toBe("list");
  });
});
