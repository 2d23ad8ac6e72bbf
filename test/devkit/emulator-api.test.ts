import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  stripe = createStripeClient({ apiKey: "sk_test_emulator", apiBase: emulator.url }, "test");
});
afterAll(() => emulator.close());

interface RawAnswer {
  status: number;
  headers: Headers;
  body: { error: { type: string; message: string } } & Record<string, unknown>;
}

async function rawRequest(path: string, init: RequestInit = {}): Promise<RawAnswer> {
  const response = await fetch(`${emulator.url}${path}`, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as RawAnswer["body"] };
}

describe("the Stripe API emulator's HTTP conventions", () => {
  it("answers 401 with Stripe's error object without an API key", async () => {
    const { status, body } = await rawRequest("/v1/customers");
    expect(status).toBe(401);
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/You did not provide an API key/);
  });

  it("answers 401 to a live key, and the client raises StripeAuthenticationError", async () => {
    const live = createStripeClient({ apiKey: "sk_live_12345678", apiBase: emulator.url }, "test");
    await expect(live.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it("accepts the key as curl's basic auth user and decodes nested form keys", async () => {
    const { status, body } = await rawRequest("/v1/customers", {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("sk_test_curl:").toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "email=a%40example.com&metadata[plan]=pro&address[line1]=1%20Main%20St&preferred_locales[0]=en",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: "customer", email: "a@example.com", metadata: { plan: "pro" } });
    expect(body.address).toMatchObject({ line1: "1 Main St" });
  });

  it("echoes the client's Stripe-Version and records it with the request", async () => {
    const { headers } = await rawRequest("/v1/customers", {
      headers: { authorization: "Bearer sk_test_x", "stripe-version": "2024-06-20" },
    });
    expect(headers.get("stripe-version")).toBe("2024-06-20");
    expect(headers.get("request-id")).toMatch(/^req_/);
    expect(emulator.requests().at(-1)).toMatchObject({ path: "/v1/customers", stripeVersion: "2024-06-20" });
  });

  it("answers 404 for an unknown URL as Stripe does", async () => {
    const { status, body } = await rawRequest("/v1/nothing_here", { headers: { authorization: "Bearer sk_test_x" } });
    expect(status).toBe(404);
    expect(body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });

  it("replays the first answer for a repeated Idempotency-Key with the same body", async () => {
    const first = await stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: "key-1" });
    const again = await stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: "key-1" });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const created = emulator.events().filter((event) => event.type === "customer.created");
    expect(created.filter((event) => (event.data.object as Stripe.Customer).id === first.id)).toHaveLength(1);
    expect(created.at(-1)?.request).toEqual({ id: expect.stringMatching(/^req_/), idempotency_key: "key-1" });
  });

  it("answers 400 idempotency_error for a reused key with different parameters", async () => {
    await stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: "key-2" });
    const error = await stripe.customers
      .create({ email: "b@example.com" }, { idempotencyKey: "key-2" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/can only be used with the same parameters/);
  });

  it("saves no answer for a request refused for its params, so the same key works once they are fixed", async () => {
    const bad = await stripe.paymentIntents
      .create({ currency: "usd" } as never, { idempotencyKey: "key-3" })
      .catch((e) => e);
    expect(bad).toMatchObject({ code: "parameter_missing" });
    const good = await stripe.paymentIntents.create({ amount: 500, currency: "usd" }, { idempotencyKey: "key-3" });
    expect(good.amount).toBe(500);
  });

  it("takes the fault switches form-encoded too", async () => {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "duplicateDeliveries=true&apiErrors[status]=429&apiErrors[count]=2",
    });
    expect(await response.json()).toEqual({ duplicateDeliveries: true, apiErrors: { status: 429, count: 2 } });
    emulator.setFaults({});
  });
});

describe("customers through the official client", () => {
  it("creates, retrieves, updates and deletes a customer with Stripe's events", async () => {
    const customer = await stripe.customers.create({ email: "jenny@example.com", name: "Jenny", metadata: { a: "1" } });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer).toMatchObject({ object: "customer", livemode: false, balance: 0, metadata: { a: "1" } });
    expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);

    const updated = await stripe.customers.update(customer.id, { name: "Jenny R", metadata: { a: "", b: "2" } });
    expect(updated).toMatchObject({ name: "Jenny R", metadata: { b: "2" } });

    const deleted = await stripe.customers.del(customer.id);
    expect(deleted).toEqual({ id: customer.id, object: "customer", deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });

    const mine = emulator.events().filter((event) => (event.data.object as { id: string }).id === customer.id);
    expect(mine.map((event) => event.type)).toEqual(["customer.created", "customer.updated", "customer.deleted"]);
    expect(mine[1]?.data.previous_attributes).toEqual({ name: "Jenny", metadata: { a: "1", b: null } });
  });

  it("raises StripeInvalidRequestError with code resource_missing and param id for an unknown customer", async () => {
    const error = await stripe.customers.update("cus_missing", { name: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: "resource_missing", param: "id" });
    expect(error.message).toBe("No such customer: 'cus_missing'");
  });

  it("answers parameter_invalid_integer with the param for a bad limit", async () => {
    const error = await stripe.customers.list({ limit: "ten" as unknown as number }).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: "parameter_invalid_integer", param: "limit" });
  });

  it("pages newest first with limit, starting_after, ending_before and has_more", async () => {
    const email = "page@example.com";
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await stripe.customers.create({ email })).id);
    const newestFirst = [...ids].reverse();

    const first = await stripe.customers.list({ email, limit: 2 });
    expect(first).toMatchObject({ object: "list", url: "/v1/customers", has_more: true });
    expect(first.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 2));
    const second = await stripe.customers.list({ email, limit: 2, starting_after: first.data[1]?.id as string });
    expect(second.data.map((c) => c.id)).toEqual(newestFirst.slice(2, 4));
    const last = await stripe.customers.list({ email, limit: 2, starting_after: second.data[1]?.id as string });
    expect(last.data.map((c) => c.id)).toEqual(newestFirst.slice(4));
    expect(last.has_more).toBe(false);
    const before = await stripe.customers.list({ email, limit: 2, ending_before: newestFirst[4] as string });
    expect(before.data.map((c) => c.id)).toEqual(newestFirst.slice(2, 4));

    const all: string[] = [];
    for await (const customer of stripe.customers.list({ email, limit: 2 })) all.push(customer.id);
    expect(all).toEqual(newestFirst);
  });

  it("expands a payment method's customer and a list's data.customer", async () => {
    const customer = await stripe.customers.create({ email: "expand@example.com" });
    const method = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const expanded = await stripe.paymentMethods.retrieve(method.id, { expand: ["customer"] });
    expect(expanded.customer).toMatchObject({ id: customer.id, object: "customer" });
    const list = await stripe.paymentMethods.list({ customer: customer.id, expand: ["data.customer"] });
    expect(list.data[0]?.customer).toMatchObject({ id: customer.id });
    const error = await stripe.paymentMethods.retrieve(method.id, { expand: ["nonsense"] }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, param: "expand" });
  });
});
