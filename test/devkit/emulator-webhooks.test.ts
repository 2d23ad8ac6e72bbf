import { createServer, type Server } from "node:http";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { listen } from "../support/servers.js";
import { inboxWithEndpoint, type TestInbox } from "./emulator-setup.js";

let emulator: RunningEmulator;
let stripe: Stripe;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ port: 0, deliveryRetrySchedule: [20, 40, 80] });
  stripe = createStripeClient({ apiKey: "sk_test_webhooks", apiBase: emulator.url }, "test");
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await emulator.close();
});

async function inboxFor(enabledEvents: Stripe.WebhookEndpointCreateParams.EnabledEvent[]): Promise<TestInbox> {
  const inbox = await inboxWithEndpoint(stripe, enabledEvents);
  cleanups.push(() => inbox.close());
  return inbox;
}

interface Received {
  id: string;
  apiVersion: string;
  signature: string;
}

/** A bare endpoint that answers the statuses given, one per request, then 200; records what it got. */
async function scriptedEndpoint(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const event = JSON.parse(body) as { id: string; api_version: string };
      received.push({
        id: event.id,
        apiVersion: event.api_version,
        signature: String(req.headers["stripe-signature"]),
      });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  const base = await listen(server);
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `${base}/hook`, received };
}

async function deliveredTypes(inbox: TestInbox): Promise<string[]> {
  return (await inbox.deliveries()).filter((row) => row.outcome === "stored").map((row) => row.type);
}

describe("webhook endpoints", () => {
  it("shows the secret once at creation, never in retrieve or list, and updates and deletes", async () => {
    const created = await stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/hook", enabled_events: ["*"] });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ object: "webhook_endpoint", status: "enabled", livemode: false });
    expect(created).not.toHaveProperty("connect");
    expect((await stripe.webhookEndpoints.retrieve(created.id)).secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.secret)).toEqual([undefined]);
    const updated = await stripe.webhookEndpoints.update(created.id, {
      disabled: true,
      enabled_events: ["customer.updated"],
    });
    expect(updated).toMatchObject({ status: "disabled", enabled_events: ["customer.updated"] });
    expect(updated.secret).toBeUndefined();
    expect(await stripe.webhookEndpoints.del(created.id)).toMatchObject({ id: created.id, deleted: true });
  });

  it("answers parameter_missing for enabled_events", async () => {
    const error = await stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/x" } as never).catch((e) => e);
    expect(error).toMatchObject({
      type: "StripeInvalidRequestError",
      code: "parameter_missing",
      param: "enabled_events",
    });
  });
});

describe("API versions", () => {
  it("renders each endpoint's events in its api_version, and the account's version when it has none", async () => {
    const pinned = await scriptedEndpoint([]);
    const unpinned = await scriptedEndpoint([]);
    const old = await stripe.webhookEndpoints.create({
      url: pinned.url,
      enabled_events: ["customer.created"],
      api_version: "2024-06-20",
    });
    const current = await stripe.webhookEndpoints.create({ url: unpinned.url, enabled_events: ["customer.created"] });
    // As on Stripe: an endpoint created without api_version shows null and follows the account's version.
    expect(old.api_version).toBe("2024-06-20");
    expect(current.api_version).toBeNull();
    expect((await stripe.webhookEndpoints.retrieve(old.id)).api_version).toBe("2024-06-20");
    await stripe.customers.create({});
    await emulator.deliveriesSettled();
    expect(pinned.received.map((delivery) => delivery.apiVersion)).toEqual(["2024-06-20"]);
    expect(unpinned.received.map((delivery) => delivery.apiVersion)).toEqual([Stripe.API_VERSION]);
    const event = (await stripe.events.list({ limit: 1 })).data[0];
    expect(event).toMatchObject({ id: pinned.received[0]?.id, api_version: Stripe.API_VERSION });
  });

  it("refuses an api_version Stripe never published, for an endpoint and in the Stripe-Version header", async () => {
    const endpoint = await stripe.webhookEndpoints
      .create({
        url: "http://127.0.0.1:9/",
        enabled_events: ["*"],
        api_version: "2024-06-21" as Stripe.WebhookEndpointCreateParams.ApiVersion,
      })
      .catch((error: unknown) => error);
    expect(endpoint).toMatchObject({ statusCode: 400, type: "StripeInvalidRequestError", param: "api_version" });
    const header = await stripe.customers
      .list({}, { apiVersion: "2031-01-01.future" })
      .catch((error: unknown) => error);
    expect(header).toMatchObject({
      statusCode: 400,
      type: "StripeInvalidRequestError",
      message: "Invalid Stripe API version: 2031-01-01.future. Learn more at https://docs.stripe.com/upgrades",
    });
    expect(await stripe.webhookEndpoints.list()).toMatchObject({ data: [] });
  });

  it("answers in the installed stripe package's API version unless the request names another", async () => {
    const answer = await fetch(`${emulator.url}/v1/customers`, { headers: { authorization: "Bearer sk_test_x" } });
    expect(answer.headers.get("stripe-version")).toBe(Stripe.API_VERSION);
  });
});

describe("signed webhook deliveries", () => {
  it("delivers a confirmed payment intent's events, signed, to a real inbox in Stripe's order", async () => {
    const inbox = await inboxFor([
      "payment_intent.created",
      "payment_intent.succeeded",
      "charge.succeeded",
      "charge.updated",
    ]);
    const intent = await stripe.paymentIntents.create({ amount: 2000, currency: "usd" });
    await stripe.paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
    await emulator.deliveriesSettled();

    expect(await deliveredTypes(inbox)).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
    ]);
    expect(emulator.deliveries().every((attempt) => attempt.status === 200)).toBe(true);
  });

  it("sends only the event types an endpoint enabled, and nothing to a disabled endpoint", async () => {
    const customersOnly = await scriptedEndpoint([]);
    const disabled = await scriptedEndpoint([]);
    await stripe.webhookEndpoints.create({ url: customersOnly.url, enabled_events: ["customer.created"] });
    const off = await stripe.webhookEndpoints.create({ url: disabled.url, enabled_events: ["*"] });
    await stripe.webhookEndpoints.update(off.id, { disabled: true });
    const customer = await stripe.customers.create({ email: "a@example.com" });
    await stripe.customers.update(customer.id, { name: "A" });
    await emulator.deliveriesSettled();
    const created = emulator.events().find((event) => event.type === "customer.created");
    expect(customersOnly.received.map((delivery) => delivery.id)).toEqual([created?.id]);
    expect(disabled.received).toEqual([]);
  });

  it("retries a delivery the endpoint answered 500 on the configured schedule until it succeeds", async () => {
    const endpoint = await scriptedEndpoint([500, 500]);
    await stripe.webhookEndpoints.create({ url: endpoint.url, enabled_events: ["customer.created"] });
    const customer = await stripe.customers.create({});
    await emulator.deliveriesSettled({ includeRetries: false });
    const [event] = (await stripe.events.list({ type: "customer.created" })).data;
    expect(event?.pending_webhooks).toBe(1);
    expect((await stripe.events.list({ delivery_success: false })).data.map((e) => e.id)).toContain(event?.id);

    await emulator.deliveriesSettled();
    expect(emulator.deliveries().map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(new Set(endpoint.received.map((delivery) => delivery.id))).toEqual(new Set([event?.id]));
    expect((await stripe.events.retrieve(event?.id as string)).pending_webhooks).toBe(0);
    expect((await stripe.events.list({ delivery_success: true })).data.map((e) => e.id)).toContain(event?.id);
    expect((event?.data.object as Stripe.Customer | undefined)?.id).toBe(customer.id);
  });

  it("counts a redirect as a failed delivery, as Stripe does, rather than following it", async () => {
    const target = await scriptedEndpoint([]);
    const redirecting = createServer((_req, res) => res.writeHead(302, { location: target.url }).end());
    const base = await listen(redirecting);
    cleanups.push(() => new Promise((resolve) => redirecting.close(() => resolve())));
    await stripe.webhookEndpoints.create({ url: `${base}/moved`, enabled_events: ["customer.created"] });
    await stripe.customers.create({});
    await emulator.deliveriesSettled();
    expect(emulator.deliveries().map((attempt) => attempt.status)).toEqual([302, 302, 302, 302]);
    expect(target.received).toEqual([]);
  });

  it("gives up after the last retry and leaves the event pending", async () => {
    const endpoint = await scriptedEndpoint([500, 500, 500, 500, 500]);
    await stripe.webhookEndpoints.create({ url: endpoint.url, enabled_events: ["*"] });
    await stripe.customers.create({});
    await emulator.deliveriesSettled();
    expect(endpoint.received).toHaveLength(4);
    expect(emulator.events()[0]?.pending_webhooks).toBe(1);
  });

  it("counts an endpoint that does not answer within the timeout as failed, and lists attempts at /_emulator/deliveries", async () => {
    const silent = createServer(() => {});
    const base = await listen(silent);
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });
    const slow = await startEmulator({ port: 0, deliveryRetrySchedule: [], deliveryTimeoutMs: 100 });
    cleanups.push(() => slow.close());
    const client = createStripeClient({ apiKey: "sk_test_slow", apiBase: slow.url }, "test");
    await client.webhookEndpoints.create({ url: `${base}/hook`, enabled_events: ["customer.created"] });
    await client.customers.create({});
    await slow.deliveriesSettled();
    const listed = (await (await fetch(`${slow.url}/_emulator/deliveries`)).json()) as { data: unknown[] };
    expect(listed.data).toEqual([expect.objectContaining({ eventType: "customer.created", attempt: 1, status: null })]);
  });
});
