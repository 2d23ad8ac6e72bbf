import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, eventTypesSince, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

async function monthlyPrice(unitAmount = 1500): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency: "usd",
    unit_amount: unitAmount,
    recurring: { interval: "month" },
    product_data: { name: "Pro" },
  });
}

describe("products and prices", () => {
  it("creates, updates, lists and deletes a product with its events", async () => {
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const product = await ctx.stripe.products.create({ name: "Gold", metadata: { tier: "3" } });
      expect(product).toMatchObject({ object: "product", active: true, name: "Gold" });
      expect(product.id).toMatch(/^prod_/);
      expect((await ctx.stripe.products.update(product.id, { name: "Platinum" })).name).toBe("Platinum");
      expect((await ctx.stripe.products.list({ limit: 100 })).data.map((p) => p.id)).toContain(product.id);
      expect(await ctx.stripe.products.del(product.id)).toEqual({ id: product.id, object: "product", deleted: true });
    });
    expect(types).toEqual(["product.created", "product.updated", "product.deleted"]);
  });

  it("creates a recurring price with product_data, expands its product, and deactivates it", async () => {
    const price = await monthlyPrice();
    expect(price).toMatchObject({
      object: "price",
      type: "recurring",
      unit_amount: 1500,
      recurring: { interval: "month" },
    });
    const expanded = await ctx.stripe.prices.retrieve(price.id, { expand: ["product"] });
    expect(expanded.product).toMatchObject({ object: "product", name: "Pro" });
    expect((await ctx.stripe.prices.update(price.id, { active: false })).active).toBe(false);
    expect(ctx.emulator.events().at(-1)?.type).toBe("price.updated");
  });

  it("refuses a price without unit_amount or with a bad interval, naming the param", async () => {
    const product = await ctx.stripe.products.create({ name: "X" });
    const missing = await ctx.stripe.prices.create({ currency: "usd", product: product.id }).catch((e) => e);
    expect(missing).toMatchObject({ code: "parameter_missing", param: "unit_amount" });
    const interval = await ctx.stripe.prices
      .create({ currency: "usd", product: product.id, unit_amount: 1, recurring: { interval: "fortnight" as "month" } })
      .catch((e) => e);
    expect(interval).toMatchObject({ statusCode: 400, param: "recurring[interval]" });
  });
});

describe("subscriptions and invoices", () => {
  it("creates a subscription that pays its first invoice, in Stripe's event sequence", async () => {
    const price = await monthlyPrice(1500);
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    let subscription: Stripe.Subscription | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      subscription = await ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    });
    expect(types).toEqual([
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "invoice_payment.paid",
      "invoice.paid",
      "invoice.payment_succeeded",
      "customer.subscription.updated",
    ]);
    expect(subscription).toMatchObject({ object: "subscription", status: "active", customer: customer.id });
    const created = ctx.emulator.events().find((event) => event.type === "customer.subscription.created");
    expect((created?.data.object as Stripe.Subscription | undefined)?.status).toBe("incomplete");
    const lines = await ctx.stripe.invoices.listLineItems(subscription?.latest_invoice as string);
    expect(lines.data.map((line) => line.amount)).toEqual([1500]);
    expect(subscription?.items.data[0]?.price.id).toBe(price.id);
    const invoice = await ctx.stripe.invoices.retrieve(subscription?.latest_invoice as string, {
      expand: ["parent.subscription_details.subscription"],
    });
    expect(invoice).toMatchObject({ status: "paid", amount_paid: 1500, total: 1500, customer: customer.id });
    expect(invoice.parent?.subscription_details?.subscription).toMatchObject({ id: subscription?.id });
    expect(invoice.lines.data[0]).toMatchObject({ amount: 1500, quantity: 1 });
  });

  it("starts a trial without charging, updates and cancels the subscription", async () => {
    const price = await monthlyPrice();
    const other = await monthlyPrice(3000);
    const customer = await ctx.stripe.customers.create({});
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 14,
    });
    expect(subscription.status).toBe("trialing");
    const invoice = await ctx.stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ status: "paid", amount_due: 0 });

    const item = subscription.items.data[0] as Stripe.SubscriptionItem;
    const updated = await ctx.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: other.id }],
      cancel_at_period_end: true,
    });
    expect(updated.items.data[0]?.price.id).toBe(other.id);
    const updateEvent = ctx.emulator.events().at(-1);
    expect(updateEvent?.type).toBe("customer.subscription.updated");
    expect(updateEvent?.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });

    const canceled = await ctx.stripe.subscriptions.cancel(subscription.id);
    expect(canceled).toMatchObject({ status: "canceled", ended_at: expect.any(Number) });
    expect(ctx.emulator.events().at(-1)?.type).toBe("customer.subscription.deleted");
    expect((await ctx.stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    expect((await ctx.stripe.subscriptions.list({ customer: customer.id, status: "all" })).data).toHaveLength(1);
  });

  it("leaves a subscription without a payment method incomplete until its invoice is paid", async () => {
    const price = await monthlyPrice();
    const customer = await ctx.stripe.customers.create({});
    const subscription = await ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(subscription.status).toBe("incomplete");
    const invoice = await ctx.stripe.invoices.pay(subscription.latest_invoice as string, {
      payment_method: "pm_card_visa",
    });
    expect(invoice.status).toBe("paid");
    expect((await ctx.stripe.subscriptions.retrieve(subscription.id)).status).toBe("active");
    expect((await ctx.stripe.invoices.list({ subscription: subscription.id })).data.map((i) => i.id)).toEqual([
      invoice.id,
    ]);
  });

  it("cancels a customer's subscriptions when the customer is deleted", async () => {
    const price = await monthlyPrice();
    const customer = await ctx.stripe.customers.create({ payment_method: "pm_card_visa" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
    });
    const types = await typesEmittedBy(ctx.emulator, () => ctx.stripe.customers.del(customer.id));
    expect(types).toEqual(["customer.subscription.deleted", "customer.deleted"]);
    expect((await ctx.stripe.subscriptions.retrieve(subscription.id)).status).toBe("canceled");
  });

  it("renews at the period's end through POST /_emulator/subscriptions/:id/renew, billing the next period", async () => {
    const price = await monthlyPrice(2000);
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const subscription = await ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const firstEnd = subscription.items.data[0]?.current_period_end;
    const before = ctx.emulator.events().length;
    const response = await fetch(`${ctx.emulator.url}/_emulator/subscriptions/${subscription.id}/renew`, {
      method: "POST",
    });
    expect(response.status).toBe(200);
    const types = eventTypesSince(ctx.emulator, before);
    expect(types[0]).toBe("customer.subscription.updated");
    expect(types.slice(1, 3)).toEqual(["invoice.created", "invoice.finalized"]);
    expect(types.slice(-2)).toEqual(["invoice.paid", "invoice.payment_succeeded"]);
    const renewed = await ctx.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.items.data[0]?.current_period_start).toBe(firstEnd);
    const invoice = await ctx.stripe.invoices.retrieve(renewed.latest_invoice as string);
    expect(invoice).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", amount_paid: 2000 });
  });

  it("charges nothing with payment_behavior=default_incomplete, and activates at once with send_invoice", async () => {
    const price = await monthlyPrice();
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    let pending: Stripe.Subscription | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      pending = await ctx.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        payment_behavior: "default_incomplete",
      });
    });
    expect(types).toEqual(["customer.subscription.created", "invoice.created", "invoice.finalized"]);
    expect(pending?.status).toBe("incomplete");
    const invoiced = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      collection_method: "send_invoice",
      days_until_due: 14,
    });
    expect(invoiced).toMatchObject({ status: "active", days_until_due: 14 });
    expect((await ctx.stripe.invoices.retrieve(invoiced.latest_invoice as string)).status).toBe("open");
  });

  it("refuses a default payment method that is not attached to the customer", async () => {
    const customer = await ctx.stripe.customers.create({});
    const loose = await ctx.stripe.paymentMethods.create({ type: "card", card: { token: "tok_visa" } });
    const error = await ctx.stripe.customers
      .update(customer.id, { invoice_settings: { default_payment_method: loose.id } })
      .catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, param: "invoice_settings[default_payment_method]" });
    expect(error.message).toMatch(/^The customer does not have a payment method with the ID pm_/);
  });

  it("refuses a one-time price in a subscription, naming items[0][price]", async () => {
    const customer = await ctx.stripe.customers.create({});
    const once = await ctx.stripe.prices.create({ currency: "usd", unit_amount: 100, product_data: { name: "Once" } });
    const error = await ctx.stripe.subscriptions
      .create({ customer: customer.id, items: [{ price: once.id }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ param: "items[0][price]" });
  });
});

describe("checkout sessions", () => {
  async function complete(id: string, body: Record<string, string> = {}) {
    const response = await fetch(`${ctx.emulator.url}/_emulator/checkout/sessions/${id}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, session: (await response.json()) as Stripe.Checkout.Session };
  }

  it("creates a payment session with line items and completes it with checkout.session.completed", async () => {
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 2500,
      product_data: { name: "Book" },
    });
    const session = await ctx.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: "https://example.com/ok",
    });
    expect(session).toMatchObject({
      object: "checkout.session",
      status: "open",
      amount_total: 5000,
      payment_status: "unpaid",
    });
    expect(session.id).toMatch(/^cs_test_/);
    const withItems = await ctx.stripe.checkout.sessions.retrieve(session.id, { expand: ["line_items"] });
    expect(withItems.line_items?.data[0]).toMatchObject({ quantity: 2, amount_total: 5000, price: { id: price.id } });

    const before = ctx.emulator.events().length;
    const { status, session: completed } = await complete(session.id);
    expect(status).toBe(200);
    expect(eventTypesSince(ctx.emulator, before)).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "checkout.session.completed",
    ]);
    expect(completed).toMatchObject({
      status: "complete",
      payment_status: "paid",
      payment_intent: expect.stringMatching(/^pi_/),
    });
    expect((await complete(session.id)).status).toBe(400);
  });

  it("completes a subscription session with a new customer and subscription", async () => {
    const price = await monthlyPrice();
    const session = await ctx.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: price.id, quantity: 1 }],
    });
    const { session: completed } = await complete(session.id, { email: "sub@example.com" });
    expect(completed).toMatchObject({ status: "complete", customer: expect.stringMatching(/^cus_/) });
    const subscription = await ctx.stripe.subscriptions.retrieve(completed.subscription as string);
    expect(subscription.status).toBe("active");
    expect(ctx.emulator.events().at(-1)?.type).toBe("checkout.session.completed");
  });

  it("refuses a session without line_items in payment mode", async () => {
    const error = await ctx.stripe.checkout.sessions.create({ mode: "payment" }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, code: "parameter_missing", param: "line_items" });
  });
});
