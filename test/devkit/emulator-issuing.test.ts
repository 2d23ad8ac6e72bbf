import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

const billing = { address: { line1: "1234 Main Street", city: "San Francisco", postal_code: "94111", country: "US" } };
const termsAccepted = { card_issuing: { user_terms_acceptance: { date: 1_470_266_163, ip: "91.121.146.224" } } };

function cardholder(extra: Partial<Stripe.Issuing.CardholderCreateParams> = {}) {
  return ctx.stripe.issuing.cardholders.create({
    name: "Jenny Rosen",
    type: "individual",
    billing,
    individual: { first_name: "Jenny", last_name: "Rosen", ...termsAccepted },
    ...extra,
  });
}

async function activeCard(controls?: Stripe.Issuing.CardCreateParams.SpendingControls) {
  const holder = await cardholder();
  return ctx.stripe.issuing.cards.create({
    cardholder: holder.id,
    currency: "usd",
    type: "virtual",
    status: "active",
    ...(controls && { spending_controls: controls }),
  });
}

describe("issuing cardholders and cards", () => {
  it("creates an active cardholder whose missing terms acceptance is past due, and announces each change", async () => {
    let holder = {} as Stripe.Issuing.Cardholder;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      holder = await ctx.stripe.issuing.cardholders.create({ name: "No Terms", billing, email: "jenny@example.com" });
      await ctx.stripe.issuing.cardholders.update(holder.id, {
        individual: { first_name: "No", last_name: "Terms", ...termsAccepted },
      });
    });
    expect(holder).toMatchObject({ object: "issuing.cardholder", status: "active", type: "individual" });
    expect(holder.requirements).toEqual({
      disabled_reason: "requirements.past_due",
      past_due: [
        "individual.first_name",
        "individual.last_name",
        "individual.card_issuing.user_terms_acceptance.date",
        "individual.card_issuing.user_terms_acceptance.ip",
      ],
    });
    expect(types).toEqual(["issuing_cardholder.created", "issuing_cardholder.updated"]);
    expect((await ctx.stripe.issuing.cardholders.retrieve(holder.id)).requirements.past_due).toEqual([]);
    const listed = await ctx.stripe.issuing.cardholders.list({ email: "jenny@example.com" });
    expect(listed.data.map((each) => each.id)).toEqual([holder.id]);
    await expect(ctx.stripe.issuing.cardholders.create({ name: "No Billing" } as never)).rejects.toMatchObject({
      code: "parameter_missing",
      param: "billing",
    });
  });

  it("issues an inactive card by default with its cardholder in full, activates it, and keeps a canceled one canceled", async () => {
    const holder = await cardholder();
    const card = await ctx.stripe.issuing.cards.create({ cardholder: holder.id, currency: "usd", type: "virtual" });
    expect(card).toMatchObject({ object: "issuing.card", status: "inactive", brand: "Visa", currency: "usd" });
    expect(card.cardholder.id).toBe(holder.id);
    const expanded = await ctx.stripe.issuing.cards.retrieve(card.id, { expand: ["number", "cvc"] });
    expect(expanded.number).toMatch(new RegExp(`^4\\d{11}${card.last4}$`));
    expect(luhnValid(expanded.number as string)).toBe(true);
    const types = await typesEmittedBy(ctx.emulator, async () => {
      await ctx.stripe.issuing.cards.update(card.id, { status: "active" });
      await ctx.stripe.issuing.cards.update(card.id, { status: "canceled", cancellation_reason: "lost" });
    });
    expect(types).toEqual(["issuing_card.updated", "issuing_card.updated"]);
    await expect(ctx.stripe.issuing.cards.update(card.id, { status: "active" })).rejects.toMatchObject({
      message: "This card has been canceled and cannot be updated.",
    });
    await expect(
      ctx.stripe.issuing.cards.create({ cardholder: "ich_missing", currency: "usd", type: "virtual" }),
    ).rejects.toMatchObject({ code: "resource_missing", param: "cardholder" });
    await expect(
      ctx.stripe.issuing.cards.create({ cardholder: holder.id, currency: "jpy", type: "virtual" }),
    ).rejects.toMatchObject({ param: "currency" });
    const listed = await ctx.stripe.issuing.cards.list({ cardholder: holder.id, status: "canceled" });
    expect(listed.data.map((each) => each.id)).toEqual([card.id]);
  });
});

describe("issuing authorizations", () => {
  it("asks with issuing_authorization.request, then approves and announces the authorization", async () => {
    const card = await activeCard();
    let authorization = {} as Stripe.Issuing.Authorization;
    const since = ctx.emulator.events().length;
    authorization = await ctx.stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 1500 });
    const events = ctx.emulator.events().slice(since);
    expect(events.map((event) => event.type)).toEqual([
      "issuing_authorization.request",
      "issuing_authorization.created",
    ]);
    // While asking, nothing is approved yet and the amount waits in pending_request.
    expect(events[0]?.data.object).toMatchObject({ approved: false, amount: 0, pending_request: { amount: 1500 } });
    expect(authorization).toMatchObject({
      object: "issuing.authorization",
      approved: true,
      status: "pending",
      amount: 1500,
      pending_request: null,
      cardholder: card.cardholder.id,
    });
    expect(authorization.card.id).toBe(card.id);
  });

  it("declines without asking when the card is inactive or a spending limit is exceeded", async () => {
    const holder = await cardholder();
    const inactive = await ctx.stripe.issuing.cards.create({ cardholder: holder.id, currency: "usd", type: "virtual" });
    const limited = await activeCard({ spending_limits: [{ amount: 1000, interval: "per_authorization" }] });
    let declined: Stripe.Issuing.Authorization[] = [];
    const types = await typesEmittedBy(ctx.emulator, async () => {
      declined = [
        await ctx.stripe.testHelpers.issuing.authorizations.create({ card: inactive.id, amount: 100 }),
        await ctx.stripe.testHelpers.issuing.authorizations.create({ card: limited.id, amount: 1001 }),
      ];
    });
    expect(types).toEqual(["issuing_authorization.created", "issuing_authorization.created"]);
    expect(declined.map((each) => [each.approved, each.status, each.request_history[0]?.reason])).toEqual([
      [false, "closed", "card_inactive"],
      [false, "closed", "spending_controls"],
    ]);
    const within = await ctx.stripe.testHelpers.issuing.authorizations.create({ card: limited.id, amount: 900 });
    expect(within.approved).toBe(true);
    // An increment counts with what the authorization already holds against a per-authorization limit.
    const incremented = await ctx.stripe.testHelpers.issuing.authorizations.increment(within.id, {
      increment_amount: 101,
    });
    expect(incremented.amount).toBe(900);
    expect(incremented.request_history.map((entry) => [entry.amount, entry.reason])).toEqual([
      [101, "spending_controls"],
    ]);
    await expect(
      ctx.stripe.testHelpers.issuing.authorizations.capture(declined[0]?.id as string),
    ).rejects.toMatchObject({ message: "Only a pending authorization can be captured; this one is closed." });
  });

  it("adds up a day's approved authorizations of every card of a cardholder against the cardholder's daily limit", async () => {
    const holder = await cardholder({
      spending_controls: { spending_limits: [{ amount: 1000, interval: "daily" }], spending_limits_currency: "usd" },
    });
    const cards = await Promise.all(
      [1, 2].map(() =>
        ctx.stripe.issuing.cards.create({ cardholder: holder.id, currency: "usd", type: "virtual", status: "active" }),
      ),
    );
    const first = await ctx.stripe.testHelpers.issuing.authorizations.create({
      card: cards[0]?.id as string,
      amount: 600,
    });
    const second = await ctx.stripe.testHelpers.issuing.authorizations.create({
      card: cards[1]?.id as string,
      amount: 600,
    });
    expect([first.approved, second.approved]).toEqual([true, false]);
    expect(second.request_history[0]?.reason).toBe("spending_controls");
  });

  it("captures into a transaction and closes; increments, reverses and expires only while pending", async () => {
    const card = await activeCard();
    const created = await ctx.stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 2000 });
    let captured = {} as Stripe.Issuing.Authorization;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      await ctx.stripe.testHelpers.issuing.authorizations.increment(created.id, { increment_amount: 500 });
      await ctx.stripe.testHelpers.issuing.authorizations.reverse(created.id, { reverse_amount: 700 });
      captured = await ctx.stripe.testHelpers.issuing.authorizations.capture(created.id);
    });
    expect(types).toEqual([
      "issuing_authorization.request",
      "issuing_authorization.updated",
      "issuing_authorization.updated",
      "issuing_transaction.created",
      "issuing_authorization.updated",
    ]);
    expect(captured).toMatchObject({ status: "closed", amount: 1800 });
    expect(captured.transactions.map((each) => [each.type, each.amount, each.authorization])).toEqual([
      ["capture", -1800, created.id],
    ]);
    await expect(ctx.stripe.testHelpers.issuing.authorizations.expire(created.id)).rejects.toMatchObject({
      message: "Only a pending authorization can be expired; this one is closed.",
    });
    const other = await ctx.stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 300 });
    expect((await ctx.stripe.testHelpers.issuing.authorizations.expire(other.id)).status).toBe("expired");
    const reversed = await ctx.stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 300 });
    expect((await ctx.stripe.testHelpers.issuing.authorizations.reverse(reversed.id)).status).toBe("reversed");
    await ctx.stripe.issuing.authorizations.update(other.id, { metadata: { order: "7" } });
    const listed = await ctx.stripe.issuing.authorizations.list({ card: card.id, status: "expired" });
    expect(listed.data.map((each) => [each.id, each.metadata])).toEqual([[other.id, { order: "7" }]]);
  });
});

describe("issuing transactions", () => {
  it("force-captures with a receipt, refunds no more than was captured, and announces metadata updates", async () => {
    const holder = await cardholder();
    const card = await ctx.stripe.issuing.cards.create({ cardholder: holder.id, currency: "usd", type: "virtual" });
    let capture = {} as Stripe.Issuing.Transaction;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      capture = await ctx.stripe.testHelpers.issuing.transactions.createForceCapture({
        card: card.id,
        amount: 10_000,
        merchant_data: { category: "taxicabs_limousines", name: "Rocket Rides" },
        purchase_details: { receipt: [{ description: "Ride", quantity: Stripe.Decimal.from("2"), unit_cost: 5000 }] },
      });
      await ctx.stripe.issuing.transactions.update(capture.id, { metadata: { order_id: "6735" } });
    });
    expect(types).toEqual([
      "issuing_transaction.created",
      "issuing_transaction.purchase_details_receipt_updated",
      "issuing_transaction.updated",
    ]);
    expect(capture).toMatchObject({
      type: "capture",
      amount: -10_000,
      authorization: null,
      merchant_data: { category: "taxicabs_limousines", category_code: "4121", name: "Rocket Rides" },
      purchase_details: { receipt: [{ description: "Ride", quantity: 2, unit_cost: 5000, total: 10_000 }] },
    });
    const refund = await ctx.stripe.testHelpers.issuing.transactions.refund(capture.id, { refund_amount: 4000 });
    expect(refund).toMatchObject({ type: "refund", amount: 4000, card: card.id });
    await expect(
      ctx.stripe.testHelpers.issuing.transactions.refund(capture.id, { refund_amount: 10_001 }),
    ).rejects.toMatchObject({ param: "refund_amount" });
    await expect(ctx.stripe.testHelpers.issuing.transactions.refund(refund.id)).rejects.toMatchObject({
      message: "Only capture transactions can be refunded.",
    });
    const unlinked = await ctx.stripe.testHelpers.issuing.transactions.createUnlinkedRefund({
      card: card.id,
      amount: 50,
    });
    expect(unlinked).toMatchObject({ type: "refund", amount: 50, authorization: null });
    const refunds = await ctx.stripe.issuing.transactions.list({ card: card.id, type: "refund" });
    expect(refunds.data.map((each) => each.id)).toEqual([unlinked.id, refund.id]);
  });
});

function luhnValid(number: string): boolean {
  const sum = [...number].reverse().reduce((total, char, index) => {
    const doubled = index % 2 === 1 ? Number(char) * 2 : Number(char);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return sum % 10 === 0;
}
