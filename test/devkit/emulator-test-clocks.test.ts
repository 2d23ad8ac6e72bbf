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

const DAY = 86_400;
/** 2024-01-01T00:00:00Z: far from the machine's clock, so a stamp that ignores the test clock shows. */
const JANUARY_2024 = 1_704_067_200;

function utc(year: number, month: number, day = 1): number {
  return Date.UTC(year, month - 1, day) / 1000;
}

async function monthlyPrice(): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency: "usd",
    unit_amount: 1500,
    recurring: { interval: "month" },
    product_data: { name: "Pro" },
  });
}

/** A clock at `frozenTime` and a customer on it who pays by card. */
async function customerOnClock(frozenTime = JANUARY_2024) {
  const clock = await ctx.stripe.testHelpers.testClocks.create({ frozen_time: frozenTime, name: "billing" });
  const customer = await ctx.stripe.customers.create({
    test_clock: clock.id,
    payment_method: "pm_card_visa",
    invoice_settings: { default_payment_method: "pm_card_visa" },
  });
  return { clock, customer };
}

async function advance(clock: Stripe.TestHelpers.TestClock, frozenTime: number) {
  return ctx.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozenTime });
}

describe("test clocks", () => {
  it("creates, retrieves, lists and deletes a clock, with its events", async () => {
    let clock: Stripe.TestHelpers.TestClock | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      clock = await ctx.stripe.testHelpers.testClocks.create({ frozen_time: JANUARY_2024, name: "CI" });
      expect(clock).toMatchObject({ object: "test_helpers.test_clock", frozen_time: JANUARY_2024, status: "ready" });
      expect(clock.id).toMatch(/^clock_/);
      expect(clock.deletes_after - clock.created).toBe(7 * DAY);
      expect(await ctx.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ name: "CI" });
      const listed = await ctx.stripe.testHelpers.testClocks.list({ limit: 100 });
      expect(listed.data.map((each) => each.id)).toContain(clock.id);
      expect(await ctx.stripe.testHelpers.testClocks.del(clock.id)).toEqual({
        id: clock.id,
        object: "test_helpers.test_clock",
        deleted: true,
      });
    });
    expect(types).toEqual(["test_helpers.test_clock.created", "test_helpers.test_clock.deleted"]);
    const gone = await ctx.stripe.testHelpers.testClocks.retrieve(clock?.id as string).catch((error) => error);
    expect(gone).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("refuses a clock without frozen_time, and a customer on a clock that does not exist", async () => {
    const missing = await ctx.stripe.testHelpers.testClocks
      .create({} as Stripe.TestHelpers.TestClockCreateParams)
      .catch((error) => error);
    expect(missing).toMatchObject({ statusCode: 400, code: "parameter_missing", param: "frozen_time" });
    const unknown = await ctx.stripe.customers.create({ test_clock: "clock_missing" }).catch((error) => error);
    expect(unknown).toMatchObject({ statusCode: 404, param: "test_clock" });
  });

  it("stamps a customer and a subscription on a clock with its frozen time", async () => {
    const { clock, customer } = await customerOnClock();
    expect(customer).toMatchObject({ test_clock: clock.id, created: JANUARY_2024 });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
    });
    expect(subscription).toMatchObject({ test_clock: clock.id, start_date: JANUARY_2024, status: "active" });
    expect(subscription.items.data[0]?.current_period_end).toBe(utc(2024, 2));
    const invoice = await ctx.stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ test_clock: clock.id, created: JANUARY_2024 });
    const created = ctx.emulator
      .events()
      .filter((event) => event.type === "customer.subscription.created")
      .at(-1);
    expect(created?.created).toBe(JANUARY_2024);
  });

  it("advances: answers `advancing`, then renews what fell due and is `ready` at the new time", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
    });
    let answer: Stripe.TestHelpers.TestClock | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      answer = await advance(clock, utc(2024, 2, 15));
    });
    expect(answer).toMatchObject({
      status: "advancing",
      frozen_time: JANUARY_2024,
      status_details: { advancing: { target_frozen_time: utc(2024, 2, 15) } },
    });
    expect(types).toEqual([
      "test_helpers.test_clock.advancing",
      "invoice.upcoming",
      "customer.subscription.updated",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "invoice_payment.paid",
      "invoice.paid",
      "invoice.payment_succeeded",
      "test_helpers.test_clock.ready",
    ]);
    expect(await ctx.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({
      status: "ready",
      frozen_time: utc(2024, 2, 15),
    });
    const renewed = await ctx.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.items.data[0]).toMatchObject({
      current_period_start: utc(2024, 2),
      current_period_end: utc(2024, 3),
    });
    const invoice = await ctx.stripe.invoices.retrieve(renewed.latest_invoice as string);
    expect(invoice).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", created: utc(2024, 2) });
  });

  it("bills a year of a monthly subscription: twelve renewals, each invoiced and paid at its period's end", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
    });
    // Stripe lets a clock go two intervals of its shortest subscription at a time: six steps of two months.
    for (let month = 3; month <= 13; month += 2)
      await advance(clock, utc(2024 + Math.floor((month - 1) / 12), ((month - 1) % 12) + 1));
    const invoices = await ctx.stripe.invoices.list({ customer: customer.id, limit: 100 });
    const renewals = invoices.data.filter((invoice) => invoice.billing_reason === "subscription_cycle");
    expect(renewals).toHaveLength(12);
    expect(renewals.every((invoice) => invoice.status === "paid" && invoice.amount_paid === 1500)).toBe(true);
    expect(renewals.map((invoice) => invoice.created).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, index) => utc(2024 + Math.floor((index + 1) / 12), ((index + 1) % 12) + 1)),
    );
    const renewed = await ctx.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.items.data[0]).toMatchObject({
      current_period_start: utc(2025, 1),
      current_period_end: utc(2025, 2),
    });
  });

  it("refuses to go back in time or further than two intervals of the shortest subscription", async () => {
    const { clock, customer } = await customerOnClock();
    await ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthlyPrice()).id }] });
    const back = await advance(clock, JANUARY_2024 - DAY).catch((error) => error);
    expect(back).toMatchObject({ statusCode: 400, param: "frozen_time" });
    const tooFar = await advance(clock, utc(2024, 3, 2)).catch((error) => error);
    expect(tooFar).toMatchObject({ statusCode: 400, param: "frozen_time" });
    expect(await ctx.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({
      status: "ready",
      frozen_time: JANUARY_2024,
    });
  });

  it("warns three days before a trial ends, then bills the first period when it does", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
      trial_period_days: 14,
    });
    const warned = await typesEmittedBy(ctx.emulator, () => advance(clock, JANUARY_2024 + 12 * DAY));
    expect(warned).toEqual([
      "test_helpers.test_clock.advancing",
      "invoice.upcoming",
      "customer.subscription.trial_will_end",
      "test_helpers.test_clock.ready",
    ]);
    const warning = ctx.emulator.events().find((event) => event.type === "customer.subscription.trial_will_end");
    expect(warning?.created).toBe(JANUARY_2024 + 11 * DAY);
    const ended = await typesEmittedBy(ctx.emulator, () => advance(clock, JANUARY_2024 + 15 * DAY));
    expect(ended.slice(0, 3)).toEqual([
      "test_helpers.test_clock.advancing",
      "customer.subscription.updated",
      "invoice.created",
    ]);
    expect(ended).toContain("invoice.paid");
    const active = await ctx.stripe.subscriptions.retrieve(subscription.id);
    expect(active).toMatchObject({ status: "active" });
    expect(active.items.data[0]?.current_period_start).toBe(JANUARY_2024 + 14 * DAY);
  });

  it("announces a renewal seven days ahead with invoice.upcoming: the invoice it will create, not stored", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id, quantity: 2 }],
    });
    const quiet = await typesEmittedBy(ctx.emulator, () => advance(clock, utc(2024, 1, 24)));
    expect(quiet).not.toContain("invoice.upcoming");
    const since = ctx.emulator.events().length;
    await advance(clock, utc(2024, 1, 26));
    const notices = ctx.emulator
      .events()
      .slice(since)
      .filter((event) => event.type === "invoice.upcoming");
    expect(notices).toHaveLength(1);
    const notice = notices[0] as Stripe.Event;
    expect(notice.created).toBe(utc(2024, 1, 25));
    const preview = notice.data.object as Stripe.Invoice;
    expect(preview).toMatchObject({
      billing_reason: "upcoming",
      status: "draft",
      amount_due: 3000,
      customer: customer.id,
      parent: { subscription_details: { subscription: subscription.id } },
    });
    expect(preview.id).toMatch(/^upcoming_in_/);
    expect(preview.lines.data[0]?.period).toEqual({ start: utc(2024, 2), end: utc(2024, 3) });
    await expect(ctx.stripe.invoices.retrieve(preview.id as string)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("ends a subscription set to cancel at its period's end when the clock passes it", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
      cancel_at_period_end: true,
    });
    const types = await typesEmittedBy(ctx.emulator, () => advance(clock, utc(2024, 2, 2)));
    expect(types).toEqual([
      "test_helpers.test_clock.advancing",
      "customer.subscription.deleted",
      "test_helpers.test_clock.ready",
    ]);
    expect(await ctx.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: "canceled",
      ended_at: utc(2024, 2),
    });
  });

  it("deletes the customers and subscriptions on a clock with it", async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
    });
    await ctx.stripe.testHelpers.testClocks.del(clock.id);
    expect(await ctx.stripe.subscriptions.retrieve(subscription.id).catch((error) => error)).toMatchObject({
      statusCode: 404,
    });
    expect(await ctx.stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
  });

  it("keeps a clock, a schedule on it and a quote's lines through a restart with --data, then advances them", async () => {
    const dataDir = tempDir("emulator-clock-data-");
    const open = async () => {
      const emulator = await startEmulator({ port: 0, dataDir });
      return { emulator, stripe: createStripeClient({ apiKey: "sk_test_clock", apiBase: emulator.url }, "test") };
    };
    const first = await open();
    const clock = await first.stripe.testHelpers.testClocks.create({ frozen_time: JANUARY_2024 });
    const customer = await first.stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa" });
    const price = await first.stripe.prices.create({
      currency: "usd",
      unit_amount: 1500,
      recurring: { interval: "month" },
      product_data: { name: "Pro" },
    });
    const schedule = await first.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: JANUARY_2024 + DAY,
      phases: [{ items: [{ price: price.id }] }],
    });
    const quote = await first.stripe.quotes.create({ customer: customer.id, line_items: [{ price: price.id }] });
    await first.emulator.close();

    const second = await open();
    try {
      await second.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JANUARY_2024 + 2 * DAY });
      expect(await second.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ status: "ready" });
      expect(await second.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({ status: "active" });
      const lines = await second.stripe.quotes.listLineItems(quote.id);
      expect(lines.data.map((line) => line.price?.id)).toEqual([price.id]);
    } finally {
      await second.emulator.close();
    }
  });
});
