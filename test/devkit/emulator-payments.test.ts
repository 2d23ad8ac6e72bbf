import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("payment intents", () => {
  it("creates and confirms with pm_card_visa in Stripe's event sequence, with latest_charge expandable", async () => {
    let intent: Stripe.PaymentIntent | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      intent = await ctx.stripe.paymentIntents.create({
        amount: 2000,
        currency: "usd",
        payment_method: "pm_card_visa",
        confirm: true,
      });
    });
    expect(types).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated"]);
    expect(intent).toMatchObject({ object: "payment_intent", status: "succeeded", amount_received: 2000 });
    expect(intent?.id).toMatch(/^pi_/);
    const expanded = await ctx.stripe.paymentIntents.retrieve(intent?.id as string, {
      expand: ["latest_charge.balance_transaction"],
    });
    const charge = expanded.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: "charge",
      paid: true,
      captured: true,
      amount_captured: 2000,
      payment_intent: intent?.id,
    });
    expect((charge.balance_transaction as Stripe.BalanceTransaction).net).toBe(2000 - 88);
    const updated = ctx.emulator.events().at(-1);
    expect(updated?.data.previous_attributes).toMatchObject({ balance_transaction: null });
    expect(intent?.automatic_payment_methods).toEqual({ allow_redirects: "always", enabled: true });
    const cardOnly = await ctx.stripe.paymentIntents.create({
      amount: 100,
      currency: "usd",
      allowed_payment_method_types: ["card"],
    });
    expect(cardOnly).toMatchObject({ automatic_payment_methods: null, allowed_payment_method_types: ["card"] });
  });

  it("authorizes with capture_method=manual and captures later", async () => {
    const intent = await ctx.stripe.paymentIntents.create({ amount: 5000, currency: "eur", capture_method: "manual" });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const confirmed = await ctx.stripe.paymentIntents.confirm(intent.id, { payment_method: "pm_card_mastercard" });
      expect(confirmed).toMatchObject({ status: "requires_capture", amount_capturable: 5000 });
      const captured = await ctx.stripe.paymentIntents.capture(intent.id, { amount_to_capture: 4000 });
      expect(captured).toMatchObject({ status: "succeeded", amount_received: 4000 });
    });
    expect(types).toEqual([
      "charge.succeeded",
      "payment_intent.amount_capturable_updated",
      "charge.captured",
      "payment_intent.succeeded",
    ]);
  });

  it("cancels, and refuses to capture or confirm a canceled intent with payment_intent_unexpected_state", async () => {
    const intent = await ctx.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    const canceled = await ctx.stripe.paymentIntents.cancel(intent.id, {
      cancellation_reason: "requested_by_customer",
    });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "requested_by_customer" });
    expect(ctx.emulator.events().at(-1)?.type).toBe("payment_intent.canceled");
    const error = await ctx.stripe.paymentIntents.capture(intent.id).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
  });

  it("declines pm_card_chargeDeclined with a 402 card_error, charge.failed and payment_intent.payment_failed", async () => {
    const intent = await ctx.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    let error: unknown;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      error = await ctx.stripe.paymentIntents
        .confirm(intent.id, { payment_method: "pm_card_chargeDeclined" })
        .catch((e) => e);
    });
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "generic_decline" });
    expect(types).toEqual(["charge.failed", "payment_intent.payment_failed"]);
    expect((await ctx.stripe.paymentIntents.retrieve(intent.id)).status).toBe("requires_payment_method");
  });

  it("answers parameter_missing for amount and resource_missing for an unknown customer", async () => {
    const missing = await ctx.stripe.paymentIntents.create({ currency: "usd" } as never).catch((e) => e);
    expect(missing).toMatchObject({ type: "StripeInvalidRequestError", code: "parameter_missing", param: "amount" });
    const unknown = await ctx.stripe.paymentIntents
      .create({ amount: 100, currency: "usd", customer: "cus_nope" })
      .catch((e) => e);
    expect(unknown).toMatchObject({ statusCode: 404, code: "resource_missing", param: "customer" });
    expect(unknown.message).toBe("No such customer: 'cus_nope'");
  });

  it("lists a customer's payment intents and saves the card with setup_future_usage", async () => {
    const customer = await ctx.stripe.customers.create({});
    const intent = await ctx.stripe.paymentIntents.create({
      amount: 700,
      currency: "usd",
      customer: customer.id,
      payment_method: "pm_card_visa",
      setup_future_usage: "off_session",
      confirm: true,
    });
    expect((await ctx.stripe.paymentIntents.list({ customer: customer.id })).data.map((pi) => pi.id)).toEqual([
      intent.id,
    ]);
    const methods = await ctx.stripe.customers.listPaymentMethods(customer.id);
    expect(methods.data.map((method) => method.id)).toEqual([intent.payment_method]);
  });
});

describe("charges and refunds", () => {
  it("charges a tok_visa source directly, updates and lists it", async () => {
    const charge = await ctx.stripe.charges.create({
      amount: 1500,
      currency: "usd",
      source: "tok_visa",
      description: "t",
    });
    expect(charge).toMatchObject({ object: "charge", status: "succeeded", payment_intent: null, description: "t" });
    const updated = await ctx.stripe.charges.update(charge.id, { metadata: { order: "42" } });
    expect(updated.metadata).toEqual({ order: "42" });
    expect((await ctx.stripe.charges.list({ limit: 100 })).data.map((c) => c.id)).toContain(charge.id);
  });

  it("refunds part, then the rest, of a payment intent's charge, then refuses a third refund", async () => {
    const intent = await ctx.stripe.paymentIntents.create({
      amount: 3000,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    let refund: Stripe.Refund | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      refund = await ctx.stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    });
    expect(types).toEqual(["charge.refunded", "refund.created"]);
    expect(refund).toMatchObject({ object: "refund", amount: 1000, status: "succeeded", charge: intent.latest_charge });
    const rest = await ctx.stripe.refunds.create({ charge: intent.latest_charge as string });
    expect(rest.amount).toBe(2000);
    const charge = await ctx.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ refunded: true, amount_refunded: 3000 });
    const error = await ctx.stripe.refunds.create({ charge: charge.id }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    expect((await ctx.stripe.refunds.list({ charge: charge.id })).data).toHaveLength(2);
  });

  it("refuses a refund larger than the charge with amount_too_large", async () => {
    const charge = await ctx.stripe.charges.create({ amount: 500, currency: "usd", source: "tok_visa" });
    const error = await ctx.stripe.refunds.create({ charge: charge.id, amount: 600 }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, code: "amount_too_large", param: "amount" });
  });
});

describe("disputes", () => {
  it("disputes a pm_card_createDispute payment with charge.dispute.created, and closes the dispute", async () => {
    let intent: Stripe.PaymentIntent | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      intent = await ctx.stripe.paymentIntents.create({
        amount: 900,
        currency: "usd",
        payment_method: "pm_card_createDispute",
        confirm: true,
      });
    });
    expect(types.at(-1)).toBe("charge.dispute.created");
    const [dispute] = (await ctx.stripe.disputes.list({ charge: intent?.latest_charge as string })).data;
    expect(dispute).toMatchObject({ object: "dispute", amount: 900, status: "needs_response", reason: "fraudulent" });
    expect((await ctx.stripe.charges.retrieve(intent?.latest_charge as string)).disputed).toBe(true);
    expect((await ctx.stripe.disputes.close(dispute?.id as string)).status).toBe("lost");
    expect(ctx.emulator.events().at(-1)?.type).toBe("charge.dispute.closed");
  });
});

describe("payment methods and setup intents", () => {
  it("creates a card from a token, attaches and detaches it with their events", async () => {
    const customer = await ctx.stripe.customers.create({});
    const method = await ctx.stripe.paymentMethods.create({ type: "card", card: { token: "tok_mastercard" } });
    expect(method).toMatchObject({ object: "payment_method", type: "card", customer: null });
    expect(method.card).toMatchObject({ brand: "mastercard", last4: "4444" });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      await ctx.stripe.paymentMethods.attach(method.id, { customer: customer.id });
      await ctx.stripe.paymentMethods.detach(method.id);
    });
    expect(types).toEqual(["payment_method.attached", "payment_method.detached"]);
    const error = await ctx.stripe.paymentMethods.detach(method.id).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, code: "payment_method_unexpected_state" });
  });

  it("confirms a setup intent, attaching the card to the customer", async () => {
    const customer = await ctx.stripe.customers.create({});
    let intent: Stripe.SetupIntent | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      intent = await ctx.stripe.setupIntents.create({
        customer: customer.id,
        payment_method: "pm_card_visa",
        confirm: true,
      });
    });
    expect(types).toEqual(["setup_intent.created", "payment_method.attached", "setup_intent.succeeded"]);
    expect(intent?.id).toMatch(/^seti_/);
    expect(intent?.status).toBe("succeeded");
    const canceled = await ctx.stripe.setupIntents.create({ customer: customer.id });
    expect((await ctx.stripe.setupIntents.cancel(canceled.id)).status).toBe("canceled");
  });
});
