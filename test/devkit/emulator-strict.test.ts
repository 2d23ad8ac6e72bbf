import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRIPE_CURRENCIES } from "../../src/devkit/emulator/currencies.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { stripeSchema } from "../../src/devkit/emulator/schema/load.js";
import { createStripeClient } from "../../src/stripe-api.js";

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  stripe = createStripeClient({ apiKey: "sk_test_strict", apiBase: emulator.url }, "test");
});
afterAll(() => emulator.close());

/** What the official client raises, in the fields Stripe's error object fills. */
interface Refusal {
  status: number | undefined;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
  message: string;
  doc_url: string | undefined;
}

async function refusal(call: () => Promise<unknown>): Promise<Refusal> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    const { statusCode, rawType, code, param, message, doc_url } = error;
    return { status: statusCode, type: rawType, code, param, message, doc_url };
  }
  throw new Error("the emulator accepted a request Stripe refuses");
}

const invalidRequest = (
  fields: Omit<Refusal, "type" | "status" | "code" | "param" | "doc_url"> & Partial<Refusal>,
) => ({
  status: 400,
  type: "invalid_request_error",
  code: undefined,
  param: undefined,
  doc_url: undefined,
  ...fields,
});

const CASES: [string, () => Promise<unknown>, Refusal][] = [
  [
    "an unknown top-level parameter",
    () => stripe.customers.create({ email: "a@example.com", bogus: "x" } as Stripe.CustomerCreateParams),
    invalidRequest({
      code: "parameter_unknown",
      param: "bogus",
      message: "Received unknown parameter: bogus",
      doc_url: "https://stripe.com/docs/error-codes/parameter-unknown",
    }),
  ],
  [
    "an unknown parameter inside a hash",
    () =>
      stripe.prices.create({
        currency: "usd",
        unit_amount: 1000,
        product_data: { name: "Pro" },
        recurring: { interval: "month", foo: "bar" } as Stripe.PriceCreateParams.Recurring,
      }),
    invalidRequest({
      code: "parameter_unknown",
      param: "recurring[foo]",
      message: "Received unknown parameter: recurring[foo]",
      doc_url: "https://stripe.com/docs/error-codes/parameter-unknown",
    }),
  ],
  [
    "an unknown parameter inside an array's item",
    () =>
      stripe.subscriptions.create({
        customer: "cus_unknown",
        items: [{ price: "price_unknown", bogus: "x" } as Stripe.SubscriptionCreateParams.Item],
      }),
    invalidRequest({
      code: "parameter_unknown",
      param: "items[0][bogus]",
      message: "Received unknown parameter: items[0][bogus]",
      doc_url: "https://stripe.com/docs/error-codes/parameter-unknown",
    }),
  ],
  [
    "an unknown list filter",
    () => stripe.customers.list({ status: "active" } as Stripe.CustomerListParams),
    invalidRequest({
      code: "parameter_unknown",
      param: "status",
      message: "Received unknown parameter: status",
      doc_url: "https://stripe.com/docs/error-codes/parameter-unknown",
    }),
  ],
  [
    "an unknown bound in a range filter that also takes a number",
    () => stripe.customers.list({ created: { gte: 1, after: 2 } as Stripe.RangeQueryParam }),
    invalidRequest({
      code: "parameter_unknown",
      param: "created[after]",
      message: "Received unknown parameter: created[after]",
      doc_url: "https://stripe.com/docs/error-codes/parameter-unknown",
    }),
  ],
  [
    "a value outside the parameter's enum",
    () =>
      stripe.paymentIntents.create({
        amount: 2000,
        currency: "usd",
        capture_method: "bogus" as Stripe.PaymentIntentCreateParams.CaptureMethod,
      }),
    invalidRequest({
      param: "capture_method",
      message: "Invalid capture_method: must be one of automatic, automatic_async, or manual",
    }),
  ],
  [
    "a nested value outside its enum",
    () =>
      stripe.prices.create({
        currency: "usd",
        unit_amount: 1000,
        product_data: { name: "Pro" },
        recurring: { interval: "fortnight" as Stripe.PriceCreateParams.Recurring.Interval },
      }),
    invalidRequest({
      param: "recurring[interval]",
      message: "Invalid recurring[interval]: must be one of day, month, week, or year",
    }),
  ],
  [
    "a currency Stripe does not support",
    () => stripe.paymentIntents.create({ amount: 2000, currency: "zzz" }),
    invalidRequest({
      param: "currency",
      message: `Invalid currency: zzz. Stripe currently supports these currencies: ${STRIPE_CURRENCIES.join(", ")}`,
    }),
  ],
  [
    "a missing required parameter",
    () => stripe.paymentIntents.create({ currency: "usd" } as Stripe.PaymentIntentCreateParams),
    invalidRequest({
      code: "parameter_missing",
      param: "amount",
      message: "Missing required param: amount.",
      doc_url: "https://stripe.com/docs/error-codes/parameter-missing",
    }),
  ],
  [
    "a missing required parameter inside a hash",
    () =>
      stripe.prices.create({
        currency: "usd",
        unit_amount: 1000,
        product_data: { name: "Pro" },
        recurring: { interval_count: 3 } as Stripe.PriceCreateParams.Recurring,
      }),
    invalidRequest({
      code: "parameter_missing",
      param: "recurring[interval]",
      message: "Missing required param: recurring[interval].",
      doc_url: "https://stripe.com/docs/error-codes/parameter-missing",
    }),
  ],
  [
    "an empty string for a parameter that cannot be unset",
    () => stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: "" }),
    invalidRequest({
      code: "parameter_invalid_empty",
      param: "customer",
      message:
        "You passed an empty string for 'customer'. We assume empty values are an attempt to unset a parameter; however 'customer' cannot be unset. You should remove 'customer' from your request or supply a non-empty value.",
      doc_url: "https://stripe.com/docs/error-codes/parameter-invalid-empty",
    }),
  ],
  [
    "a boolean that is not one",
    () => stripe.products.create({ name: "Pro", active: "yes" as unknown as boolean }),
    invalidRequest({ param: "active", message: "Invalid boolean: yes" }),
  ],
  [
    "an integer that is not one",
    () => stripe.paymentIntents.create({ amount: "lots" as unknown as number, currency: "usd" }),
    invalidRequest({
      code: "parameter_invalid_integer",
      param: "amount",
      message: "Invalid integer: lots",
      doc_url: "https://stripe.com/docs/error-codes/parameter-invalid-integer",
    }),
  ],
  [
    "an API version Stripe never published (a date without its release name)",
    () => stripe.customers.list({}, { apiVersion: "2024-12-18" }),
    invalidRequest({
      message: "Invalid Stripe API version: 2024-12-18. Learn more at https://docs.stripe.com/upgrades",
    }),
  ],
  [
    "a sub-resource the emulator does not implement, beside one it does",
    () => stripe.customers.listBalanceTransactions("cus_unknown"),
    invalidRequest({
      status: 404,
      message:
        "Unrecognized request URL (GET: /v1/customers/cus_unknown/balance_transactions). Please see https://stripe.com/docs or we can help at https://support.stripe.com/. The emulator does not implement Stripe's GET /v1/customers/{id}/balance_transactions (customers.listBalanceTransactions) yet.",
    }),
  ],
  [
    "a Stripe endpoint the emulator does not implement",
    () => stripe.climate.orders.create({ product: "climsku_frontier_offtake_portfolio_2027" }),
    invalidRequest({
      status: 404,
      message:
        "Unrecognized request URL (POST: /v1/climate/orders). Please see https://stripe.com/docs or we can help at https://support.stripe.com/. The emulator does not implement Stripe's POST /v1/climate/orders (climate.orders.create) yet.",
    }),
  ],
];

describe("the emulator refuses what Stripe refuses, in Stripe's words", () => {
  it.each(CASES)("%s", async (_name, call, expected) => {
    const before = emulator.events().length;
    expect(await refusal(call)).toEqual(expected);
    expect(emulator.events().length, "a refused request emits nothing").toBe(before);
  });

  it("takes the installed package's API version and every earlier one Stripe published", async () => {
    for (const apiVersion of [Stripe.API_VERSION, "2024-12-18.acacia", "2024-06-20", "2019-12-03"]) {
      const list = await stripe.customers.list({ limit: 1 }, { apiVersion });
      expect(list.object).toBe("list");
    }
  });

  it("takes every kind of parameter Stripe takes: unset with '', metadata, ranges, expand, nested lists", async () => {
    const customer = await stripe.customers.create({
      email: "strict@example.com",
      metadata: { plan: "pro", seats: 3 },
      address: { line1: "1 Main St", country: "US" },
      preferred_locales: ["en", "fr"],
    });
    const updated = await stripe.customers.update(customer.id, { address: "", metadata: { plan: "" } });
    expect(updated).toMatchObject({ address: null, metadata: { seats: "3" } });
    const listed = await stripe.customers.list({ created: { gte: customer.created - 1 }, limit: 100 });
    expect(listed.data.map((each) => each.id)).toContain(customer.id);
    const intent = await stripe.paymentIntents.create(
      { amount: 2000, currency: "EUR", customer: customer.id, expand: ["customer"] },
      { idempotencyKey: "strict-intent" },
    );
    expect(intent).toMatchObject({ currency: "eur", customer: { id: customer.id } });
  });

  it("holds metadata to Stripe's limits: 50 keys, keys of 40 characters, values of 500", async () => {
    const keys = (count: number, from = 0) =>
      Object.fromEntries(Array.from({ length: count }, (_, index) => [`key_${from + index}`, "v"]));
    const customer = await stripe.customers.create({
      metadata: { ...keys(49), ["k".repeat(40)]: "v".repeat(500) },
    });
    expect(Object.keys(customer.metadata)).toHaveLength(50);
    for (const metadata of [keys(51), { ["k".repeat(41)]: "v" }, { plan: "v".repeat(501) }]) {
      expect(await refusal(() => stripe.customers.create({ metadata }))).toMatchObject({
        status: 400,
        type: "invalid_request_error",
        param: "metadata",
      });
    }
    // The limit counts the keys after the merge: one more on a customer holding 50 is refused, one replaced is not.
    expect(await refusal(() => stripe.customers.update(customer.id, { metadata: keys(1, 100) }))).toMatchObject({
      status: 400,
      param: "metadata",
    });
    const replaced = await stripe.customers.update(customer.id, { metadata: { key_0: "", key_100: "v" } });
    expect(Object.keys(replaced.metadata)).toHaveLength(50);
  });

  it("never takes a search or a sub-path for an id, nor a path Stripe does not have for a neighbour", async () => {
    const product = await stripe.products.create({ name: "Searchable" });
    const get = (method: string, path: string) =>
      fetch(`${emulator.url}${path}`, { method, headers: { authorization: "Bearer sk_test_x" } });
    const search = await get("GET", `/v1/products/search?query=${encodeURIComponent('name:"Searchable"')}`);
    expect(await search.json()).toMatchObject({ object: "search_result", data: [{ id: product.id }] });
    const unknown: [string, string][] = [
      ["GET", "/v1/products/search/more"],
      ["GET", `/v1/products/${product.id}/search`],
      ["GET", "/v1/products/"],
      ["PUT", `/v1/products/${product.id}`],
      ["GET", "/v1/nothing_here"],
    ];
    for (const [method, path] of unknown) {
      const answer = await get(method, path);
      const body = (await answer.json()) as { error: { type: string; message: string } };
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(body.error).toMatchObject({
        type: "invalid_request_error",
        message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    // Only GET has a search: a DELETE of /v1/products/search is Stripe's delete of a product with that id.
    const deleteSearch = await get("DELETE", "/v1/products/search");
    expect(await deleteSearch.json()).toMatchObject({ error: { message: "No such product: 'search'" } });
    expect((await stripe.products.retrieve(product.id)).name).toBe("Searchable");
  });

  it("answers every endpoint Stripe has that it does not implement with 404, and no implemented one so", async () => {
    const implemented = new Set(emulator.implementedEndpoints());
    const unrecognized: string[] = [];
    for (const endpoint of stripeSchema().endpoints) {
      const path = endpoint.path.replace(/\{[^}]+\}/g, "x_unknown");
      const answer = await fetch(`${emulator.url}${path}`, {
        method: endpoint.method,
        headers: { authorization: "Bearer sk_test_x" },
      });
      const body = (await answer.json()) as { error?: { message: string } };
      if (body.error?.message.startsWith("Unrecognized request URL")) unrecognized.push(endpoint.path);
      else expect(implemented.has(endpoint), `${endpoint.method} ${endpoint.path} answered`).toBe(true);
    }
    expect(unrecognized.length).toBe(stripeSchema().endpoints.length - implemented.size);
  });

  it("serves only endpoints the schema knows, each once", () => {
    const implemented = emulator.implementedEndpoints();
    const known = new Set(stripeSchema().endpoints);
    expect(implemented.length).toBeGreaterThan(60);
    for (const endpoint of implemented) expect(known.has(endpoint)).toBe(true);
    expect(new Set(implemented.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).size).toBe(implemented.length);
  });
});
