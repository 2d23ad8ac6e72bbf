import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

const SUCCEEDS = "AT611904300234573201";
const FAILS = "AT861904300235473202";
const SUCCEEDS_AFTER_MINUTES = "AT321904300235473204";

function sepaMethod(iban: string) {
  return ctx.stripe.paymentMethods.create({
    type: "sepa_debit",
    sepa_debit: { iban },
    billing_details: { name: "Jenny Rosen", email: "jenny@example.com" },
  });
}

function debit(paymentMethod: string) {
  return ctx.stripe.paymentIntents.create({
    amount: 1000,
    currency: "eur",
    payment_method: paymentMethod,
    allowed_payment_method_types: ["sepa_debit"],
    confirm: true,
    mandate_data: { customer_acceptance: { type: "offline", accepted_at: 1590590577 } },
  });
}

describe("SEPA Direct Debit", () => {
  it("answers processing, then succeeds on its own for the succeeding test IBAN, under a mandate", async () => {
    const method = await sepaMethod(SUCCEEDS);
    expect(method).toMatchObject({ type: "sepa_debit", sepa_debit: { country: "AT", last4: "3201" } });
    let intentId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const intent = await debit(method.id);
      intentId = intent.id;
      expect(intent.status).toBe("processing");
    });
    expect(types).toEqual([
      "payment_intent.created",
      "charge.pending",
      "payment_intent.processing",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
    ]);
    const intent = await ctx.stripe.paymentIntents.retrieve(intentId, { expand: ["latest_charge"] });
    expect(intent.status).toBe("succeeded");
    const mandateId = (intent.latest_charge as { payment_method_details: { sepa_debit: { mandate: string } } })
      .payment_method_details.sepa_debit.mandate;
    expect(await ctx.stripe.mandates.retrieve(mandateId)).toMatchObject({
      status: "active",
      payment_method: method.id,
      customer_acceptance: { type: "offline", accepted_at: 1590590577 },
    });
  });

  it("goes back to requires_payment_method for the failing test IBAN, and stays processing for a delayed one", async () => {
    const failing = await sepaMethod(FAILS);
    const types = await typesEmittedBy(ctx.emulator, () => debit(failing.id));
    expect(types).toEqual([
      "payment_intent.created",
      "charge.pending",
      "payment_intent.processing",
      "charge.failed",
      "payment_intent.payment_failed",
    ]);
    const failed = ctx.emulator.events().at(-1)?.data.object as { status: string; last_payment_error: unknown };
    expect(failed).toMatchObject({
      status: "requires_payment_method",
      last_payment_error: { code: "payment_intent_payment_attempt_failed" },
    });
    const delayed = await debit((await sepaMethod(SUCCEEDS_AFTER_MINUTES)).id);
    expect((await ctx.stripe.paymentIntents.retrieve(delayed.id)).status).toBe("processing");
  });

  it("refuses an IBAN that fails its check digits, a missing account holder, and a currency other than euros", async () => {
    await expect(sepaMethod("AT611904300234573202")).rejects.toMatchObject({
      code: "invalid_bank_account_iban",
      param: "sepa_debit[iban]",
    });
    await expect(
      ctx.stripe.paymentMethods.create({ type: "sepa_debit", sepa_debit: { iban: SUCCEEDS } }),
    ).rejects.toMatchObject({ code: "parameter_missing", param: "billing_details[name]" });
    const method = await sepaMethod(SUCCEEDS);
    await expect(
      ctx.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: method.id, confirm: true }),
    ).rejects.toMatchObject({ param: "currency" });
    await expect(
      ctx.stripe.paymentIntents.create({
        amount: 1000,
        currency: "eur",
        payment_method_data: { type: "sepa_debit", sepa_debit: { iban: SUCCEEDS } },
      }),
    ).rejects.toMatchObject({
      param: "payment_method_data[billing_details][name]",
      message: "Missing required param: payment_method_data[billing_details][name].",
    });
  });

  it("completes a Checkout Session while the debit processes, then announces the payment's outcome", async () => {
    const product = await ctx.stripe.products.create({ name: "Book" });
    const price = await ctx.stripe.prices.create({ product: product.id, unit_amount: 1500, currency: "eur" });
    for (const [iban, outcome] of [
      [SUCCEEDS, "checkout.session.async_payment_succeeded"],
      [FAILS, "checkout.session.async_payment_failed"],
    ] as const) {
      const session = await ctx.stripe.checkout.sessions.create({
        mode: "payment",
        success_url: "https://example.com/ok",
        line_items: [{ price: price.id, quantity: 2 }],
      });
      const method = await sepaMethod(iban);
      const since = ctx.emulator.events().length;
      const completed = await fetch(`${ctx.emulator.url}/v1/payment_pages/${session.id}/confirm`, {
        method: "POST",
        headers: { authorization: "Bearer sk_test_devkit", "content-type": "application/x-www-form-urlencoded" },
        body: `payment_method=${method.id}`,
      });
      expect(completed.status).toBe(200);
      const sessionEvents = ctx.emulator
        .events()
        .slice(since)
        .filter((event) => event.type.startsWith("checkout.session."));
      expect(
        sessionEvents.map((event) => [event.type, (event.data.object as { payment_status: string }).payment_status]),
      ).toEqual([
        ["checkout.session.completed", "unpaid"],
        [outcome, outcome.endsWith("succeeded") ? "paid" : "unpaid"],
      ]);
    }
  });
});
