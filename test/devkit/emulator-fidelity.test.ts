import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
