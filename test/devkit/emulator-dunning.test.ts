import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUNNING } from "../../src/devkit/emulator/resources/dunning.js";
import { type EmulatorClient, startEmulatorClient } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

function utc(month: number, day = 1): number {
  return Date.UTC(2024, month - 1, day) / 1000;
}

/** The events one step causes, as `type` or `type:status` for the objects whose status the test follows. */
async function eventsOf(step: () => Promise<unknown>): Promise<string[]> {
  const since = ctx.emulator.events().length;
  await step();
  return ctx.emulator
    .events()
    .slice(since)
    .map((event) => {
      const object = event.data.object as { status?: string };
      return event.type.startsWith("customer.subscription.") ? `${event.type}:${object.status}` : event.type;
    });
}

describe("failed renewals on a test clock", () => {
  it("retries a declined renewal per the account's dunning defaults, recovers with a new card, and cancels after the last try", async () => {
    const stripe = ctx.stripe;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: utc(1) });
    const customer = await stripe.customers.create({
      test_clock: clock.id,
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const price = await stripe.prices.create({
      currency: "usd",
      unit_amount: 1500,
      recurring: { interval: "month" },
      product_data: { name: "Pro" },
    });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const payWith = async (card: string) => {
      const method = await stripe.paymentMethods.attach(card, { customer: customer.id });
      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id } });
    };
    const advance = (frozenTime: number) => () =>
      stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozenTime });
    const latestInvoice = async () =>
      stripe.invoices.retrieve((await stripe.subscriptions.retrieve(subscription.id)).latest_invoice as string);

    // An invoice's PaymentIntent is created at its first attempt; each retry confirms the same one again.
    const declined = ["charge.failed", "payment_intent.payment_failed", "invoice.payment_failed"];
    const firstDeclined = ["payment_intent.created", ...declined];
    const charged = ["charge.succeeded", "payment_intent.succeeded", "charge.updated", "invoice_payment.paid"];
    const paid = ["payment_intent.created", ...charged];
    const invoiced = ["invoice.created", "invoice.finalized"];
    const advancing = (...events: string[]) => [
      "test_helpers.test_clock.advancing",
      ...events,
      "test_helpers.test_clock.ready",
    ];

    // First renewal, February 1st, on a card that declines: past_due, the next try two days later.
    await payWith("pm_card_chargeCustomerFail");
    expect(await eventsOf(advance(utc(2)))).toEqual(
      advancing(
        "invoice.upcoming",
        "customer.subscription.updated:active",
        ...invoiced,
        ...firstDeclined,
        "customer.subscription.updated:past_due",
      ),
    );
    expect(await latestInvoice()).toMatchObject({ status: "open", attempt_count: 1, next_payment_attempt: utc(2, 3) });
    // Two more tries, on the 3rd and the 5th.
    expect(await eventsOf(advance(utc(2, 5)))).toEqual(advancing(...declined, ...declined));
    expect(await latestInvoice()).toMatchObject({ attempt_count: 3, next_payment_attempt: utc(2, 7) });
    // The customer gives a card that works: the try of the 7th pays, and the subscription is active again.
    await payWith("pm_card_visa");
    expect(await eventsOf(advance(utc(2, 8)))).toEqual(
      advancing(...charged, "invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated:active"),
    );
    const recovered = await latestInvoice();
    expect(recovered).toMatchObject({ status: "paid", attempt_count: 4, next_payment_attempt: null });
    const payments = await stripe.invoicePayments.list({ invoice: recovered.id });
    expect(payments.data).toEqual([
      expect.objectContaining({
        status: "paid",
        amount_paid: 1500,
        payment: expect.objectContaining({ type: "payment_intent" }),
      }),
    ]);
    const intent = await stripe.paymentIntents.retrieve(payments.data[0]?.payment.payment_intent as string);
    expect(intent).toMatchObject({ status: "succeeded", amount_received: 1500 });
    // Second renewal, March 1st: paid at once.
    expect(await eventsOf(advance(utc(3, 2)))).toEqual(
      advancing(
        "invoice.upcoming",
        "customer.subscription.updated:active",
        ...invoiced,
        ...paid,
        "invoice.paid",
        "invoice.payment_succeeded",
      ),
    );
    // Third renewal, April 1st, declined again: seven more tries, every two days, then the subscription is canceled.
    await payWith("pm_card_chargeCustomerFail");
    expect(await eventsOf(advance(utc(4, 2)))).toEqual(
      advancing(
        "invoice.upcoming",
        "customer.subscription.updated:active",
        ...invoiced,
        ...firstDeclined,
        "customer.subscription.updated:past_due",
      ),
    );
    const retries = Array.from({ length: DUNNING.attempts - 1 }, () => declined).flat();
    expect(await eventsOf(advance(utc(4, 16)))).toEqual(
      advancing(...retries, "customer.subscription.deleted:canceled"),
    );
    expect(await latestInvoice()).toMatchObject({ status: "open", attempt_count: 8, next_payment_attempt: null });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: "canceled",
      canceled_at: utc(4, 15),
      cancellation_details: { reason: "payment_failed" },
    });
  });
});
