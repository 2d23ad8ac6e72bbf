import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

/** A customer with an invoice item of `amount` waiting for its next invoice. */
async function customerWithPendingItem(amount = 2000) {
  const customer = await ctx.stripe.customers.create({ email: "billing@example.com" });
  const item = await ctx.stripe.invoiceItems.create({ customer: customer.id, amount, currency: "usd" });
  return { customer, item };
}

/** The official client at an API version older than the installed package's, as the Stripe CLI's requests run. */
function clientAt(apiVersion: string): Stripe {
  const url = new URL(ctx.emulator.url);
  return new Stripe("sk_test_older_account", {
    apiVersion: apiVersion as Stripe.LatestApiVersion,
    host: url.hostname,
    port: url.port,
    protocol: "http",
  });
}

describe("invoice previews", () => {
  it("previews a subscription's next renewal and a customer's pending items, storing nothing and emitting nothing", async () => {
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 1200,
      recurring: { interval: "month" },
      product_data: { name: "Seat" },
    });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 3 }],
    });
    const period = subscription.items.data[0] as Stripe.SubscriptionItem;
    let renewal: Stripe.Invoice | undefined;
    const emitted = await typesEmittedBy(ctx.emulator, async () => {
      renewal = await ctx.stripe.invoices.createPreview({ subscription: subscription.id });
    });
    expect(emitted).toEqual([]);
    expect(renewal).toMatchObject({
      billing_reason: "upcoming",
      status: "draft",
      amount_due: 3600,
      customer: customer.id,
    });
    expect(renewal?.id).toMatch(/^upcoming_in_/);
    expect(renewal?.lines.data[0]?.period.start).toBe(period.current_period_end);
    await expect(ctx.stripe.invoices.retrieve(renewal?.id as string)).rejects.toMatchObject({ statusCode: 404 });

    await ctx.stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: "usd" });
    const oneOff = await ctx.stripe.invoices.createPreview({ customer: customer.id });
    expect(oneOff).toMatchObject({ amount_due: 500, billing_reason: "manual" });
  });

  it("says what a preview cannot show, and that there is nothing to invoice", async () => {
    const customer = await ctx.stripe.customers.create({});
    await expect(ctx.stripe.invoices.createPreview({ customer: customer.id })).rejects.toMatchObject({
      statusCode: 400,
      code: "invoice_no_customer_line_items",
    });
    await expect(
      ctx.stripe.invoices.createPreview({
        customer: customer.id,
        subscription_details: { cancel_at_period_end: true },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: "subscription_details" });
  });
});

describe("invoice items and one-off invoices", () => {
  it("takes pending items onto a draft, finalizes it with a number and pays it: Stripe's event sequence", async () => {
    const { customer, item } = await customerWithPendingItem();
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const draft = await ctx.stripe.invoices.create({
        customer: customer.id,
        pending_invoice_items_behavior: "include",
      });
      expect(draft).toMatchObject({ status: "draft", amount_due: 2000, number: null });
      expect(draft.lines.data[0]?.parent?.invoice_item_details?.invoice_item).toBe(item.id);
      expect((await ctx.stripe.invoiceItems.retrieve(item.id)).invoice).toBe(draft.id);
      const paid = await ctx.stripe.invoices.pay(draft.id, { payment_method: "pm_card_visa" });
      expect(paid).toMatchObject({ status: "paid", amount_paid: 2000, amount_remaining: 0 });
      expect(paid.number).toMatch(/^[A-Z0-9]+-0001$/);
    });
    expect(types).toEqual([
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "invoice_payment.paid",
      "invoice.paid",
      "invoice.payment_succeeded",
    ]);
  });

  it("leaves pending items out by default, and a declined payment leaves the invoice open", async () => {
    const { customer } = await customerWithPendingItem();
    const empty = await ctx.stripe.invoices.create({ customer: customer.id });
    expect(empty.amount_due).toBe(0);
    const invoice = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    const declined = await ctx.stripe.invoices
      .pay(invoice.id, { payment_method: "pm_card_chargeCustomerFail" })
      .catch((error: unknown) => error);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(await ctx.stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: "open", attempt_count: 1 });
  });

  it("voids, marks uncollectible, sends and deletes only in the states Stripe allows", async () => {
    const { customer } = await customerWithPendingItem();
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const sent = await ctx.stripe.invoices.create({
        customer: customer.id,
        pending_invoice_items_behavior: "include",
        collection_method: "send_invoice",
        days_until_due: 7,
      });
      expect((await ctx.stripe.invoices.sendInvoice(sent.id)).status).toBe("open");
      await ctx.stripe.invoices.markUncollectible(sent.id);
      expect((await ctx.stripe.invoices.voidInvoice(sent.id)).status).toBe("void");
      const draft = await ctx.stripe.invoices.create({ customer: customer.id });
      expect(await ctx.stripe.invoices.del(draft.id)).toEqual({ id: draft.id, object: "invoice", deleted: true });
    });
    expect(types).toEqual([
      "invoice.created",
      "invoice.finalized",
      "invoice.sent",
      "invoice.marked_uncollectible",
      "invoice.voided",
      "invoice.created",
      "invoice.deleted",
    ]);
    const paidOff = await ctx.stripe.invoices.create({ customer: customer.id });
    await ctx.stripe.invoices.finalizeInvoice(paidOff.id);
    await expect(ctx.stripe.invoices.del(paidOff.id)).rejects.toMatchObject({ code: "invoice_not_editable" });
    await expect(ctx.stripe.invoices.voidInvoice(paidOff.id)).rejects.toMatchObject({ code: "invoice_not_editable" });
  });

  it("deletes an item from its draft, which then totals less, and refuses to once the invoice is final", async () => {
    const { customer } = await customerWithPendingItem(500);
    const draft = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    const extra = await ctx.stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 300,
      currency: "usd",
    });
    expect((await ctx.stripe.invoices.retrieve(draft.id)).amount_due).toBe(800);
    const types = await typesEmittedBy(ctx.emulator, () => ctx.stripe.invoiceItems.del(extra.id));
    expect(types).toEqual(["invoiceitem.deleted"]);
    expect((await ctx.stripe.invoices.retrieve(draft.id)).amount_due).toBe(500);
    await ctx.stripe.invoices.finalizeInvoice(draft.id);
    const [kept] = (await ctx.stripe.invoiceItems.list({ invoice: draft.id })).data;
    await expect(ctx.stripe.invoiceItems.del(kept?.id as string)).rejects.toMatchObject({
      code: "invoice_not_editable",
    });
  });
});

describe("credit notes", () => {
  it("credits an open invoice before payment and puts the amount back when voided", async () => {
    const { customer } = await customerWithPendingItem(2000);
    const invoice = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    await ctx.stripe.invoices.finalizeInvoice(invoice.id);
    const lines = [{ type: "custom_line_item" as const, unit_amount: 1000, quantity: 1, description: "goodwill" }];
    let noteId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const note = await ctx.stripe.creditNotes.create({ invoice: invoice.id, lines });
      noteId = note.id;
      expect(note).toMatchObject({ amount: 1000, status: "issued", type: "pre_payment" });
      expect((await ctx.stripe.invoices.retrieve(invoice.id)).amount_remaining).toBe(1000);
      await ctx.stripe.creditNotes.update(note.id, { metadata: { foo: "bar" } });
      await ctx.stripe.creditNotes.voidCreditNote(note.id);
    });
    expect(types).toEqual([
      "credit_note.created",
      "invoice.updated",
      "credit_note.updated",
      "credit_note.voided",
      "invoice.updated",
    ]);
    expect((await ctx.stripe.invoices.retrieve(invoice.id)).amount_remaining).toBe(2000);
    await expect(ctx.stripe.creditNotes.voidCreditNote(noteId)).rejects.toThrow(/already been voided/);
    await ctx.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" });
    await expect(ctx.stripe.creditNotes.create({ invoice: invoice.id, lines })).rejects.toThrow(
      /credit notes on open invoices only/,
    );
  });
});

describe("coupons, promotion codes and customer discounts", () => {
  it("creates, renames and deletes a coupon, and redeems it with a promotion code", async () => {
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const coupon = await ctx.stripe.coupons.create({ percent_off: 25, duration: "once" });
      expect(coupon).toMatchObject({ object: "coupon", percent_off: 25, valid: true, times_redeemed: 0 });
      await ctx.stripe.coupons.update(coupon.id, { name: "Quarter off" });
      const code = await ctx.stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id } });
      expect(code.promotion).toEqual({ type: "coupon", coupon: coupon.id });
      await ctx.stripe.promotionCodes.update(code.id, { active: false });
      await expect(ctx.stripe.promotionCodes.update(code.id, { active: true })).rejects.toMatchObject({
        param: "active",
      });
      await ctx.stripe.coupons.del(coupon.id);
    });
    expect(types).toEqual([
      "coupon.created",
      "coupon.updated",
      "promotion_code.created",
      "promotion_code.updated",
      "coupon.deleted",
    ]);
    await expect(ctx.stripe.coupons.create({ percent_off: 10, amount_off: 5, currency: "usd" })).rejects.toThrow(
      /exactly one of/,
    );
  });

  it("reads the parameters older API versions send: a customer's coupon, a code's coupon", async () => {
    const older = clientAt("2025-02-24.acacia");
    const first = await ctx.stripe.coupons.create({ percent_off: 20 });
    const second = await ctx.stripe.coupons.create({ percent_off: 30 });
    const create = { coupon: first.id } as Stripe.CustomerCreateParams;
    let customer: Stripe.Customer | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      customer = await older.customers.create(create);
      await older.customers.update(customer.id, { coupon: second.id } as Stripe.CustomerUpdateParams);
      await older.customers.update(customer.id, { coupon: "" } as Stripe.CustomerUpdateParams);
    });
    expect(types).toEqual([
      "customer.created",
      "customer.discount.created",
      "customer.discount.updated",
      "customer.updated",
      "customer.discount.deleted",
      "customer.updated",
    ]);
    const code = await older.promotionCodes.create({ coupon: first.id } as unknown as Stripe.PromotionCodeCreateParams);
    expect(code.promotion.coupon).toBe(first.id);
    const intentParams = { amount: 500, currency: "usd", payment_method_types: ["card"] };
    const intent = await older.paymentIntents.create(intentParams as Stripe.PaymentIntentCreateParams);
    expect(intent.allowed_payment_method_types).toEqual(["card"]);
    // At the installed version those parameters are gone, as on Stripe.
    await expect(ctx.stripe.customers.create(create)).rejects.toMatchObject({ code: "parameter_unknown" });
    await expect(
      ctx.stripe.paymentIntents.create(intentParams as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({ code: "parameter_unknown", param: "payment_method_types" });
  });
});

describe("plans and tax rates", () => {
  it("creates a plan with an inline product, updates and deletes it; creates and archives a tax rate", async () => {
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const plan = await ctx.stripe.plans.create({
        currency: "usd",
        interval: "month",
        amount: 2000,
        product: { name: "Legacy plan" },
      });
      expect(plan).toMatchObject({ object: "plan", amount: 2000, interval: "month", interval_count: 1 });
      await ctx.stripe.plans.update(plan.id, { metadata: { foo: "bar" } });
      await ctx.stripe.plans.del(plan.id);
      const rate = await ctx.stripe.taxRates.create({ display_name: "VAT", inclusive: true, percentage: 10 });
      expect(rate).toMatchObject({ object: "tax_rate", percentage: 10, inclusive: true, active: true });
      await ctx.stripe.taxRates.update(rate.id, { active: false });
    });
    expect(types).toEqual([
      "product.created",
      "plan.created",
      "plan.updated",
      "plan.deleted",
      "tax_rate.created",
      "tax_rate.updated",
    ]);
  });
});

describe("3-D Secure test cards", () => {
  it("leaves payment and setup intents requiring action, and an invoice open with payment_action_required", async () => {
    const customer = await ctx.stripe.customers.create({});
    const intentTypes = await typesEmittedBy(ctx.emulator, async () => {
      const intent = await ctx.stripe.paymentIntents.create({
        amount: 2000,
        currency: "usd",
        payment_method: "pm_card_authenticationRequired",
        confirm: true,
      });
      expect(intent).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
      const setup = await ctx.stripe.setupIntents.create({
        payment_method: "pm_card_authenticationRequired",
        confirm: true,
      });
      expect(setup.status).toBe("requires_action");
    });
    expect(intentTypes).toEqual([
      "payment_intent.created",
      "payment_intent.requires_action",
      "setup_intent.created",
      "setup_intent.requires_action",
    ]);
    const method = await ctx.stripe.paymentMethods.attach("pm_card_threeDSecure2Required", { customer: customer.id });
    await ctx.stripe.invoiceItems.create({ customer: customer.id, amount: 2000, currency: "usd" });
    const invoice = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      await expect(ctx.stripe.invoices.pay(invoice.id, { payment_method: method.id })).rejects.toMatchObject({
        statusCode: 402,
        code: "invoice_payment_intent_requires_action",
      });
    });
    expect(types).toEqual([
      "invoice.finalized",
      "payment_intent.created",
      "payment_intent.requires_action",
      "invoice.payment_action_required",
    ]);
    expect((await ctx.stripe.invoices.retrieve(invoice.id)).status).toBe("open");
  });
});

describe("balance and payouts", () => {
  it("makes a bypass-pending charge available at once, pays part of it out, and refuses more than is left", async () => {
    const before = (await ctx.stripe.balance.retrieve()).available.find((entry) => entry.currency === "usd");
    const types = await typesEmittedBy(ctx.emulator, async () => {
      await ctx.stripe.paymentIntents.create({
        amount: 2000,
        currency: "usd",
        payment_method: "pm_card_bypassPending",
        confirm: true,
      });
      const payout = await ctx.stripe.payouts.create({ amount: 1100, currency: "usd" });
      expect(payout).toMatchObject({ object: "payout", status: "pending", amount: 1100 });
      await ctx.stripe.payouts.update(payout.id, { metadata: { foo: "bar" } });
    });
    expect(types).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "balance.available",
      "payout.created",
      "payout.updated",
    ]);
    const after = (await ctx.stripe.balance.retrieve()).available.find((entry) => entry.currency === "usd");
    // 2000 less Stripe's fee (2.9% + 30) less the 1100 paid out.
    expect((after?.amount ?? 0) - (before?.amount ?? 0)).toBe(2000 - 88 - 1100);
    await expect(ctx.stripe.payouts.create({ amount: 1_000_000, currency: "usd" })).rejects.toMatchObject({
      code: "balance_insufficient",
    });
    const topupTypes = await typesEmittedBy(ctx.emulator, async () => {
      const topup = await ctx.stripe.topups.create({ amount: 5000, currency: "usd" });
      expect(topup).toMatchObject({ object: "topup", status: "pending" });
      const pending = (await ctx.stripe.balance.retrieve()).pending.find((entry) => entry.currency === "usd");
      expect(pending?.amount).toBeGreaterThanOrEqual(5000);
      expect((await ctx.stripe.topups.cancel(topup.id)).status).toBe("canceled");
    });
    expect(topupTypes).toEqual(["topup.created", "topup.canceled"]);
  });
});

describe("trials and refunds", () => {
  it("warns at once of a trial that ends within three days, and pauses a trial ended without a payment method", async () => {
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 1500,
      recurring: { interval: "month" },
      product_data: { name: "Trial" },
    });
    const customer = await ctx.stripe.customers.create({});
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const subscription = await ctx.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        trial_period_days: 1,
        trial_settings: { end_behavior: { missing_payment_method: "pause" } },
      });
      const paused = await ctx.stripe.subscriptions.update(subscription.id, { trial_end: "now" });
      expect(paused.status).toBe("paused");
    });
    expect(types.slice(0, 2)).toEqual(["customer.subscription.created", "customer.subscription.trial_will_end"]);
    expect(types.slice(-2)).toEqual(["customer.subscription.updated", "customer.subscription.paused"]);
  });

  it("says what it lacks when a trial's end would bill the customer", async () => {
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 900,
      recurring: { interval: "month" },
      product_data: { name: "Billed trial" },
    });
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 30,
    });
    await expect(ctx.stripe.subscriptions.update(subscription.id, { trial_end: "now" })).rejects.toThrow(
      /emulator cannot end a trial that bills/,
    );
  });

  it("announces a refund's update as charge.refund.updated and refund.updated", async () => {
    const intent = await ctx.stripe.paymentIntents.create({
      amount: 100,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const refund = await ctx.stripe.refunds.create({ payment_intent: intent.id });
    const types = await typesEmittedBy(ctx.emulator, () =>
      ctx.stripe.refunds.update(refund.id, { metadata: { order: "1" } }),
    );
    expect(types).toEqual(["charge.refund.updated", "refund.updated"]);
  });
});
