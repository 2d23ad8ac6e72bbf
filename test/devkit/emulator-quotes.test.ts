import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

const DAY = 86_400;

async function price(unitAmount: number, recurring = true): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency: "usd",
    unit_amount: unitAmount,
    ...(recurring && { recurring: { interval: "month" as const } }),
    product_data: { name: recurring ? "Seat" : "Setup" },
  });
}

async function payingCustomer(params: Stripe.CustomerCreateParams = {}): Promise<Stripe.Customer> {
  return ctx.stripe.customers.create({
    payment_method: "pm_card_visa",
    invoice_settings: { default_payment_method: "pm_card_visa" },
    ...params,
  });
}

describe("quotes", () => {
  it("creates a draft with its line items and totals, shown in their own list and when expanded", async () => {
    const seat = await price(1500);
    const customer = await payingCustomer();
    let quote: Stripe.Quote | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      quote = await ctx.stripe.quotes.create({
        customer: customer.id,
        description: "Ten seats",
        line_items: [{ price: seat.id, quantity: 10 }],
      });
    });
    expect(types).toEqual(["quote.created"]);
    expect(quote).toMatchObject({
      object: "quote",
      status: "draft",
      number: null,
      amount_total: 15_000,
      currency: "usd",
      customer: customer.id,
      computed: { recurring: { amount_total: 15_000, interval: "month", interval_count: 1 } },
    });
    expect(quote?.id).toMatch(/^qt_/);
    expect((quote?.expires_at ?? 0) - (quote?.created ?? 0)).toBe(30 * DAY);
    expect(quote).not.toHaveProperty("line_items");
    const lines = await ctx.stripe.quotes.listLineItems(quote?.id as string);
    expect(lines.data).toEqual([expect.objectContaining({ object: "item", quantity: 10, amount_total: 15_000 })]);
    const expanded = await ctx.stripe.quotes.retrieve(quote?.id as string, { expand: ["line_items"] });
    expect(expanded.line_items?.data.map((line) => line.price?.id)).toEqual([seat.id]);
    const upfront = await ctx.stripe.quotes.listComputedUpfrontLineItems(quote?.id as string);
    expect(upfront.data).toHaveLength(1);
  });

  it("updates a draft's fields and lines, and lists quotes by customer and status", async () => {
    const customer = await payingCustomer();
    const quote = await ctx.stripe.quotes.create({ customer: customer.id });
    expect(quote.amount_total).toBe(0);
    const setup = await price(5000, false);
    const updated = await ctx.stripe.quotes.update(quote.id, {
      header: "Offer",
      line_items: [{ price: setup.id, quantity: 2 }],
    });
    expect(updated).toMatchObject({ header: "Offer", amount_total: 10_000, computed: { recurring: null } });
    const drafts = await ctx.stripe.quotes.list({ customer: customer.id, status: "draft" });
    expect(drafts.data.map((each) => each.id)).toEqual([quote.id]);
    expect((await ctx.stripe.quotes.list({ customer: customer.id, status: "open" })).data).toEqual([]);
  });

  it("finalizes a draft to `open` with a number; refuses one without a customer, and accepting a draft", async () => {
    const seat = await price(1500);
    const anonymous = await ctx.stripe.quotes.create({ line_items: [{ price: seat.id }] });
    const noCustomer = await ctx.stripe.quotes.finalizeQuote(anonymous.id).catch((error) => error);
    expect(noCustomer).toMatchObject({ statusCode: 400, param: "customer" });
    const early = await ctx.stripe.quotes.accept(anonymous.id).catch((error) => error);
    expect(early).toMatchObject({ statusCode: 400 });
    expect(early.message).toContain("`draft` status");

    const customer = await payingCustomer();
    const quote = await ctx.stripe.quotes.create({ customer: customer.id, line_items: [{ price: seat.id }] });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const open = await ctx.stripe.quotes.finalizeQuote(quote.id);
      expect(open).toMatchObject({ status: "open", number: `QT-${customer.invoice_prefix}-0001-1` });
      // When it was finalized: the second it was created, or a later one.
      expect(open.status_transitions.finalized_at).toBeGreaterThanOrEqual(open.created);
      expect(open.status_transitions.finalized_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    });
    expect(types).toEqual(["quote.finalized"]);
    const edit = await ctx.stripe.quotes.update(quote.id, { header: "late" }).catch((error) => error);
    expect(edit).toMatchObject({ statusCode: 400 });
  });

  it("accepts a recurring quote as a subscription that bills its first period", async () => {
    const seat = await price(1500);
    const customer = await payingCustomer();
    const quote = await ctx.stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: seat.id, quantity: 10 }],
      subscription_data: { description: "From the quote" },
    });
    await ctx.stripe.quotes.finalizeQuote(quote.id);
    let accepted: Stripe.Quote | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      accepted = await ctx.stripe.quotes.accept(quote.id);
    });
    expect(types[0]).toBe("customer.subscription.created");
    expect(types).toContain("invoice.paid");
    expect(types.at(-1)).toBe("quote.accepted");
    expect(accepted).toMatchObject({ status: "accepted" });
    const subscription = await ctx.stripe.subscriptions.retrieve(accepted?.subscription as string);
    expect(subscription).toMatchObject({ status: "active", customer: customer.id, description: "From the quote" });
    expect(subscription.items.data[0]).toMatchObject({ quantity: 10 });
    expect(accepted?.invoice).toBe(subscription.latest_invoice);
    expect(await ctx.stripe.invoices.retrieve(accepted?.invoice as string)).toMatchObject({ amount_paid: 15_000 });
  });

  it("accepts a one-time quote as a draft invoice of its lines", async () => {
    const setup = await price(5000, false);
    const customer = await payingCustomer();
    const quote = await ctx.stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: setup.id, quantity: 2 }],
    });
    await ctx.stripe.quotes.finalizeQuote(quote.id);
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const accepted = await ctx.stripe.quotes.accept(quote.id);
      expect(accepted).toMatchObject({ status: "accepted", subscription: null });
      const invoice = await ctx.stripe.invoices.retrieve(accepted.invoice as string);
      expect(invoice).toMatchObject({
        status: "draft",
        total: 10_000,
        customer: customer.id,
        parent: { type: "quote_details", quote_details: { quote: quote.id } },
      });
      expect(invoice.lines.data.map((line) => line.amount)).toEqual([10_000]);
    });
    expect(types).toEqual(["invoice.created", "quote.accepted"]);
  });

  it("cancels a draft or open quote once, and refuses a quote mixing recurring and one-time prices", async () => {
    const seat = await price(1500);
    const customer = await payingCustomer();
    const quote = await ctx.stripe.quotes.create({ customer: customer.id, line_items: [{ price: seat.id }] });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const canceled = await ctx.stripe.quotes.cancel(quote.id);
      expect(canceled).toMatchObject({ status: "canceled" });
    });
    expect(types).toEqual(["quote.canceled"]);
    expect(await ctx.stripe.quotes.cancel(quote.id).catch((error) => error)).toMatchObject({ statusCode: 400 });

    const setup = await price(5000, false);
    const mixed = await ctx.stripe.quotes
      .create({ customer: customer.id, line_items: [{ price: seat.id }, { price: setup.id }] })
      .catch((error) => error);
    expect(mixed).toMatchObject({ statusCode: 400, param: "line_items" });
    const missing = await ctx.stripe.quotes.retrieve("qt_missing").catch((error) => error);
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("lives on its customer's test clock, its subscription with it, and expires unanswered as the clock passes", async () => {
    const frozen = Date.UTC(2024, 0, 1) / 1000;
    const clock = await ctx.stripe.testHelpers.testClocks.create({ frozen_time: frozen });
    const customer = await payingCustomer({ test_clock: clock.id });
    const seat = await price(1500);
    const quote = await ctx.stripe.quotes.create({ customer: customer.id, line_items: [{ price: seat.id }] });
    expect(quote).toMatchObject({ test_clock: clock.id, created: frozen, expires_at: frozen + 30 * DAY });
    await ctx.stripe.quotes.finalizeQuote(quote.id);
    const accepted = await ctx.stripe.quotes.accept(quote.id);
    expect(accepted.status_transitions.accepted_at).toBe(frozen);
    const subscription = await ctx.stripe.subscriptions.retrieve(accepted.subscription as string);
    expect(subscription).toMatchObject({ test_clock: clock.id, start_date: frozen });

    const unanswered = await ctx.stripe.quotes.create({ customer: customer.id, line_items: [{ price: seat.id }] });
    await ctx.stripe.quotes.finalizeQuote(unanswered.id);
    const types = await typesEmittedBy(ctx.emulator, () =>
      ctx.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen + 31 * DAY }),
    );
    expect(types).toContain("quote.canceled");
    expect(await ctx.stripe.quotes.retrieve(unanswered.id)).toMatchObject({
      status: "canceled",
      status_transitions: { canceled_at: frozen + 30 * DAY },
    });
  });
});
