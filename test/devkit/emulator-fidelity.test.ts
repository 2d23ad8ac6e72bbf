import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { tempDir } from "../support/stores.js";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

async function monthlyPrice(unitAmount: number): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency: "usd",
    unit_amount: unitAmount,
    recurring: { interval: "month" },
    product_data: { name: "Plan" },
  });
}

describe("a customer created with a source", () => {
  it("gets the card as its default source, announced by customer.source.created", async () => {
    let customer: Stripe.Customer | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      customer = await ctx.stripe.customers.create({ source: "tok_visa" });
    });
    expect(types).toEqual(["customer.created", "customer.source.created"]);
    const created = customer as Stripe.Customer;
    const sources = await ctx.stripe.customers.listSources(created.id, { object: "card" });
    expect(sources.data).toMatchObject([{ object: "card", last4: "4242", customer: created.id }]);
    expect(created.default_source).toBe(sources.data[0]?.id);
    const [event] = ctx.emulator.events().slice(-2);
    expect(event?.data.object).toMatchObject({ object: "customer", default_source: created.default_source });
  });

  it("refuses a token that is not a card's, and makes no customer", async () => {
    const before = (await ctx.stripe.customers.list({ limit: 100 })).data.length;
    await expect(ctx.stripe.customers.create({ source: "btok_us" })).rejects.toMatchObject({ param: "source" });
    expect((await ctx.stripe.customers.list({ limit: 100 })).data).toHaveLength(before);
  });

  it("replaces its default source on an update with source, deleting the old one, and takes default_source", async () => {
    const customer = await ctx.stripe.customers.create({ source: "tok_visa" });
    const old = customer.default_source as string;
    let updated: Stripe.Customer | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      updated = await ctx.stripe.customers.update(customer.id, { source: "tok_mastercard" });
    });
    expect(types).toEqual(["customer.source.created", "customer.source.deleted", "customer.updated"]);
    const cards = (await ctx.stripe.customers.listSources(customer.id, { object: "card" })).data;
    expect(cards).toMatchObject([{ brand: "mastercard", id: updated?.default_source }]);
    expect(cards.map((card) => card.id)).not.toContain(old);

    const second = await ctx.stripe.customers.createSource(customer.id, { source: "tok_amex" });
    const chosen = await ctx.stripe.customers.update(customer.id, { default_source: second.id });
    expect(chosen.default_source).toBe(second.id);
    await expect(ctx.stripe.customers.update(customer.id, { default_source: old })).rejects.toMatchObject({
      code: "resource_missing",
      param: "default_source",
    });
  });

  it("pays its subscription's invoices with the default source when it has no default payment method", async () => {
    const customer = await ctx.stripe.customers.create({ source: "tok_visa" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice(1500)).id }],
      expand: ["latest_invoice"],
    });
    expect(subscription.status).toBe("active");
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: "paid", amount_paid: 1500 });
    const intents = await ctx.stripe.paymentIntents.list({ customer: customer.id });
    expect(intents.data).toMatchObject([
      { status: "succeeded", amount: 1500, payment_method: customer.default_source },
    ]);
  });

  it("is charged on its default source by a charge that names only the customer", async () => {
    const customer = await ctx.stripe.customers.create({ source: "tok_visa" });
    const charge = await ctx.stripe.charges.create({ amount: 700, currency: "usd", customer: customer.id });
    expect(charge).toMatchObject({ paid: true, customer: customer.id, payment_method: customer.default_source });
  });

  it("pays a one-off invoice with the default source too", async () => {
    const customer = await ctx.stripe.customers.create({ source: "tok_visa" });
    await ctx.stripe.invoiceItems.create({ customer: customer.id, amount: 2000, currency: "usd" });
    const draft = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    await ctx.stripe.invoices.finalizeInvoice(draft.id);
    const paid = await ctx.stripe.invoices.pay(draft.id);
    expect(paid).toMatchObject({ status: "paid", amount_paid: 2000 });
    const [intent] = (await ctx.stripe.paymentIntents.list({ customer: customer.id })).data;
    const charge = await ctx.stripe.charges.retrieve(intent?.latest_charge as string);
    expect(charge).toMatchObject({ paid: true, payment_method: customer.default_source });
  });
});

describe("idempotency keys", () => {
  const HOUR = 3_600_000;

  /** An emulator on `dataDir` whose clock the test moves, and a client with no retries of its own. */
  async function emulatorAt(clock: { now: number }, dataDir: string) {
    const emulator = await startEmulator({ port: 0, dataDir, clock: () => new Date(clock.now) });
    const stripe = createStripeClient({ apiKey: "sk_test_keys", apiBase: emulator.url }, "test");
    return { emulator, stripe };
  }

  it("replay the first answer for 24 hours, then run the request again", async () => {
    const clock = { now: Date.parse("2026-03-01T00:00:00Z") };
    const { emulator, stripe } = await emulatorAt(clock, tempDir("emulator-keys-"));
    try {
      const first = await stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: "day-key" });
      clock.now += 24 * HOUR - 1000;
      const replayed = await stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: "day-key" });
      expect(replayed.id).toBe(first.id);
      expect(replayed.lastResponse.headers["idempotent-replayed"]).toBe("true");
      clock.now += 1000;
      const again = await stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: "day-key" });
      expect(again.id).not.toBe(first.id);
      expect(again.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
    } finally {
      await emulator.close();
    }
  });

  it("are dropped from the --data journal once expired, when it is compacted at the next start", async () => {
    const clock = { now: Date.parse("2026-03-01T00:00:00Z") };
    const dataDir = tempDir("emulator-keys-");
    // The keys of the answers the journal holds (events name their request's key too, and stay).
    const savedKeys = () =>
      readFileSync(join(dataDir, "emulator.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.includes('"k":'))
        .map((line) => (JSON.parse(line) as { k: [string] }).k[0].split(":").at(-1));
    const first = await emulatorAt(clock, dataDir);
    const kept = await first.stripe.customers.create({}, { idempotencyKey: "old-key" });
    clock.now += 12 * HOUR;
    await first.stripe.customers.create({}, { idempotencyKey: "young-key" });
    await first.emulator.close();
    expect(savedKeys()).toEqual(["old-key", "young-key"]);

    clock.now += 13 * HOUR;
    const second = await emulatorAt(clock, dataDir);
    try {
      expect(savedKeys()).toEqual(["young-key"]);
      const again = await second.stripe.customers.create({}, { idempotencyKey: "old-key" });
      expect(again.id).not.toBe(kept.id);
      await expect(second.stripe.customers.retrieve(kept.id)).resolves.toMatchObject({ id: kept.id });
    } finally {
      await second.emulator.close();
    }
  });
});

describe("checkout sessions with price_data", () => {
  async function complete(id: string): Promise<Stripe.Checkout.Session> {
    const response = await fetch(`${ctx.emulator.url}/_emulator/checkout/sessions/${id}/complete`, { method: "POST" });
    expect(response.status).toBe(200);
    return (await response.json()) as Stripe.Checkout.Session;
  }

  it("makes an inline price, archived, with its product, and charges its amount", async () => {
    const session = await ctx.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        { price_data: { currency: "eur", unit_amount: 1250, product_data: { name: "Ticket" } }, quantity: 3 },
      ],
    });
    expect(session).toMatchObject({ amount_total: 3750, currency: "eur" });
    const [item] = (await ctx.stripe.checkout.sessions.listLineItems(session.id)).data;
    expect(item).toMatchObject({
      quantity: 3,
      amount_total: 3750,
      price: { object: "price", active: false, type: "one_time", currency: "eur", unit_amount: 1250 },
    });
    const product = await ctx.stripe.products.retrieve(item?.price?.product as string);
    expect(product.name).toBe("Ticket");
    const completed = await complete(session.id);
    const intent = await ctx.stripe.paymentIntents.retrieve(completed.payment_intent as string);
    expect(intent).toMatchObject({ amount: 3750, currency: "eur", status: "succeeded" });
  });

  it("subscribes to a recurring inline price of an existing product", async () => {
    const product = await ctx.stripe.products.create({ name: "Pro" });
    const session = await ctx.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [
        {
          price_data: { currency: "usd", unit_amount: 900, product: product.id, recurring: { interval: "month" } },
          quantity: 1,
        },
      ],
    });
    const [item] = (await ctx.stripe.checkout.sessions.listLineItems(session.id)).data;
    expect(item?.price).toMatchObject({ product: product.id, active: false, recurring: { interval: "month" } });
    const completed = await complete(session.id);
    const subscription = await ctx.stripe.subscriptions.retrieve(completed.subscription as string);
    expect(subscription).toMatchObject({ status: "active" });
    expect(subscription.items.data[0]?.price.id).toBe(item?.price?.id);
  });

  it("refuses a one-off inline price in subscription mode, and makes no price", async () => {
    const before = (await ctx.stripe.prices.list({ limit: 100 })).data.length;
    const refused = ctx.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price_data: { currency: "usd", unit_amount: 900, product_data: { name: "Once" } }, quantity: 1 }],
    });
    await expect(refused).rejects.toMatchObject({ statusCode: 400, param: "line_items[0][price]" });
    const missing = ctx.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ price_data: { currency: "usd", unit_amount: 900 }, quantity: 1 }],
    });
    await expect(missing).rejects.toMatchObject({
      code: "parameter_missing",
      param: "line_items[0][price_data][product]",
    });
    const recurringInPayment = ctx.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          price_data: {
            currency: "usd",
            unit_amount: 900,
            product_data: { name: "Monthly" },
            recurring: { interval: "month" },
          },
          quantity: 1,
        },
      ],
    });
    await expect(recurringInPayment).rejects.toMatchObject({ statusCode: 400, message: /recurring price/ });
    expect((await ctx.stripe.prices.list({ limit: 100 })).data).toHaveLength(before);
  });

  it("refuses a recurring price in payment mode, as Stripe does", async () => {
    const monthly = await monthlyPrice(500);
    const refused = ctx.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ price: monthly.id, quantity: 1 }],
    });
    await expect(refused).rejects.toMatchObject({ statusCode: 400, param: "line_items[0][price]" });
  });
});

describe("a charge's Stripe fee", () => {
  async function settledTransaction(intentId: string): Promise<Stripe.BalanceTransaction> {
    const intent = await ctx.stripe.paymentIntents.retrieve(intentId, {
      expand: ["latest_charge.balance_transaction"],
    });
    return (intent.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
  }

  it("is 2.9% + 30 cents for a US card charged in USD", async () => {
    const intent = await ctx.stripe.paymentIntents.create({
      amount: 10_000,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const transaction = await settledTransaction(intent.id);
    expect(transaction).toMatchObject({ amount: 10_000, fee: 320, net: 9_680 });
    expect(transaction.fee_details).toEqual([
      { amount: 320, application: null, currency: "usd", description: "Stripe processing fees", type: "stripe_fee" },
    ]);
  });

  it("is none the emulator can vouch for on a card charged in euros or a SEPA Direct Debit", async () => {
    const card = await ctx.stripe.paymentIntents.create({
      amount: 10_000,
      currency: "eur",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    expect(await settledTransaction(card.id)).toMatchObject({ fee: 0, fee_details: [], net: 10_000 });
    const iban = await ctx.stripe.paymentMethods.create({
      type: "sepa_debit",
      sepa_debit: { iban: "AT611904300234573201" },
      billing_details: { name: "Jenny Rosen", email: "jenny@example.com" },
    });
    const debit = await ctx.stripe.paymentIntents.create({
      amount: 10_000,
      currency: "eur",
      payment_method: iban.id,
      allowed_payment_method_types: ["sepa_debit"],
      confirm: true,
      mandate_data: { customer_acceptance: { type: "offline", accepted_at: 1590590577 } },
    });
    expect(await settledTransaction(debit.id)).toMatchObject({ fee: 0, fee_details: [], net: 10_000 });
  });
});
