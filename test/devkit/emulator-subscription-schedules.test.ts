import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

const DAY = 86_400;
const JANUARY_2024 = Date.UTC(2024, 0, 1) / 1000;
const FEBRUARY_2024 = Date.UTC(2024, 1, 1) / 1000;
const MARCH_2024 = Date.UTC(2024, 2, 1) / 1000;

async function monthlyPrice(unitAmount = 1500): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency: "usd",
    unit_amount: unitAmount,
    recurring: { interval: "month" },
    product_data: { name: "Pro" },
  });
}

async function payingCustomer(testClock?: string): Promise<Stripe.Customer> {
  return ctx.stripe.customers.create({
    ...(testClock !== undefined && { test_clock: testClock }),
    payment_method: "pm_card_visa",
    invoice_settings: { default_payment_method: "pm_card_visa" },
  });
}

/** A customer on a clock at 2024-01-01, and a schedule for them starting then. */
async function scheduleOnClock(params: Omit<Stripe.SubscriptionScheduleCreateParams, "customer">) {
  const clock = await ctx.stripe.testHelpers.testClocks.create({ frozen_time: JANUARY_2024 });
  const customer = await payingCustomer(clock.id);
  const schedule = await ctx.stripe.subscriptionSchedules.create({ customer: customer.id, ...params });
  const advance = (frozenTime: number) =>
    ctx.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozenTime });
  return { clock, customer, schedule, advance };
}

describe("subscription schedules", () => {
  it("starts a schedule now: its subscription is created with the first phase's items and managed by it", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    let schedule: Stripe.SubscriptionSchedule | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      schedule = await ctx.stripe.subscriptionSchedules.create({
        customer: customer.id,
        start_date: "now",
        phases: [
          { items: [{ price: price.id, quantity: 1 }], duration: { interval: "month", interval_count: 1 } },
          { items: [{ price: price.id, quantity: 2 }] },
        ],
      });
    });
    expect(types[0]).toBe("customer.subscription.created");
    expect(types.at(-1)).toBe("subscription_schedule.created");
    expect(schedule).toMatchObject({ object: "subscription_schedule", status: "active", end_behavior: "release" });
    expect(schedule?.id).toMatch(/^sub_sched_/);
    const [first, second] = schedule?.phases ?? [];
    expect(first?.end_date).toBe(second?.start_date);
    expect(schedule?.current_phase).toEqual({ start_date: first?.start_date, end_date: first?.end_date });
    const subscription = await ctx.stripe.subscriptions.retrieve(schedule?.subscription as string);
    expect(subscription).toMatchObject({ schedule: schedule?.id, status: "active" });
    expect(subscription.items.data[0]).toMatchObject({ quantity: 1, current_period_end: first?.end_date });
    const listed = await ctx.stripe.subscriptionSchedules.list({ customer: customer.id });
    expect(listed.data.map((each) => each.id)).toEqual([schedule?.id]);
  });

  it("refuses a phase item without a price, with a one-time price, or a middle phase without an end", async () => {
    const customer = await payingCustomer();
    const monthly = await monthlyPrice();
    const once = await ctx.stripe.prices.create({ currency: "usd", unit_amount: 500, product_data: { name: "Setup" } });
    const create = (phases: Stripe.SubscriptionScheduleCreateParams.Phase[]) =>
      ctx.stripe.subscriptionSchedules.create({ customer: customer.id, start_date: "now", phases }).catch((e) => e);
    expect(await create([{ items: [{ quantity: 2 }] }])).toMatchObject({
      statusCode: 400,
      param: "phases[0][items][0][price]",
    });
    expect(await create([{ items: [{ price: once.id }] }])).toMatchObject({
      statusCode: 400,
      param: "phases[0][items][0][price]",
    });
    expect(await create([{ items: [{ price: monthly.id }] }, { items: [{ price: monthly.id }] }])).toMatchObject({
      statusCode: 400,
      param: "phases[0][end_date]",
    });
  });

  it("reads a phase's `iterations` at versions before clover, which retired it, and refuses it after", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    const phases = [
      { items: [{ price: price.id }], iterations: 2 },
      { items: [{ price: price.id, quantity: 2 }] },
    ] as Stripe.SubscriptionScheduleCreateParams.Phase[];
    const params = { customer: customer.id, start_date: "now" as const, phases };
    const schedule = await ctx.stripe.subscriptionSchedules.create(params, { apiVersion: "2025-02-24.acacia" });
    const [first] = schedule.phases;
    const twoMonths = new Date((first?.start_date as number) * 1000);
    twoMonths.setUTCMonth(twoMonths.getUTCMonth() + 2);
    expect(first?.end_date).toBe(twoMonths.getTime() / 1000);
    const current = await ctx.stripe.subscriptionSchedules.create(params).catch((error) => error);
    expect(current).toMatchObject({ statusCode: 400, code: "parameter_unknown", param: "phases[0][iterations]" });
  });

  it("waits for a future start_date, and cancels without a subscription", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    const start = Math.floor(Date.now() / 1000) + 30 * DAY;
    const schedule = await ctx.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: start,
      phases: [{ items: [{ price: price.id }] }],
    });
    expect(schedule).toMatchObject({ status: "not_started", subscription: null, current_phase: null });
    expect(schedule.phases[0]).toMatchObject({ start_date: start });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const canceled = await ctx.stripe.subscriptionSchedules.cancel(schedule.id);
      expect(canceled).toMatchObject({ status: "canceled" });
    });
    expect(types).toEqual(["subscription_schedule.canceled"]);
    const again = await ctx.stripe.subscriptionSchedules.cancel(schedule.id).catch((error) => error);
    expect(again).toMatchObject({ statusCode: 400 });
    expect(again.message).toContain("`canceled` status");
  });

  it("cancels a running schedule with its subscription, and releases one leaving the subscription alone", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    const phases = [{ items: [{ price: price.id }] }];
    const canceled = await ctx.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: "now",
      phases,
    });
    const cancelTypes = await typesEmittedBy(ctx.emulator, () => ctx.stripe.subscriptionSchedules.cancel(canceled.id));
    expect(cancelTypes).toEqual(["customer.subscription.deleted", "subscription_schedule.canceled"]);

    const released = await ctx.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: "now",
      phases,
    });
    const releaseTypes = await typesEmittedBy(ctx.emulator, async () => {
      const answer = await ctx.stripe.subscriptionSchedules.release(released.id);
      expect(answer).toMatchObject({
        status: "released",
        subscription: null,
        released_subscription: released.subscription,
      });
    });
    expect(releaseTypes).toEqual(["customer.subscription.updated", "subscription_schedule.released"]);
    expect(await ctx.stripe.subscriptions.retrieve(released.subscription as string)).toMatchObject({
      status: "active",
      schedule: null,
    });
  });

  it("updates metadata and end_behavior with subscription_schedule.updated, naming what changed", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    const schedule = await ctx.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: "now",
      phases: [{ items: [{ price: price.id }] }],
    });
    const updated = await ctx.stripe.subscriptionSchedules.update(schedule.id, {
      metadata: { foo: "bar" },
      end_behavior: "cancel",
    });
    expect(updated).toMatchObject({ metadata: { foo: "bar" }, end_behavior: "cancel" });
    const event = ctx.emulator.events().at(-1);
    expect(event?.type).toBe("subscription_schedule.updated");
    expect(event?.data.previous_attributes).toEqual({ metadata: { foo: null }, end_behavior: "release" });
    // Ending with the schedule, the subscription is set to cancel at its end.
    const subscription = await ctx.stripe.subscriptions.retrieve(schedule.subscription as string);
    expect(subscription.cancel_at).toBe(schedule.phases[0]?.end_date);
  });

  it("takes over an existing subscription for its current period", async () => {
    const price = await monthlyPrice();
    const customer = await payingCustomer();
    const subscription = await ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const schedule = await ctx.stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
      expect(schedule).toMatchObject({ status: "active", subscription: subscription.id });
      expect(schedule.phases[0]).toMatchObject({
        start_date: subscription.items.data[0]?.current_period_start,
        end_date: subscription.items.data[0]?.current_period_end,
      });
    });
    expect(types).toEqual(["customer.subscription.updated", "subscription_schedule.created"]);
    const twice = await ctx.stripe.subscriptionSchedules.create({ from_subscription: subscription.id }).catch((e) => e);
    expect(twice).toMatchObject({ statusCode: 400, param: "from_subscription" });
  });

  it("moves to the next phase as a test clock passes a phase's end, and the renewal bills the new items", async () => {
    const price = await monthlyPrice();
    const { schedule, advance } = await scheduleOnClock({
      start_date: JANUARY_2024,
      phases: [
        { items: [{ price: price.id, quantity: 1 }], duration: { interval: "month" } },
        { items: [{ price: price.id, quantity: 3 }], duration: { interval: "month" } },
      ],
    });
    const types = await typesEmittedBy(ctx.emulator, () => advance(FEBRUARY_2024 + DAY));
    expect(types.slice(0, 6)).toEqual([
      "test_helpers.test_clock.advancing",
      "invoice.upcoming",
      "customer.subscription.updated",
      "subscription_schedule.updated",
      "customer.subscription.updated",
      "invoice.created",
    ]);
    const moved = await ctx.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(moved.current_phase).toEqual({ start_date: FEBRUARY_2024, end_date: MARCH_2024 });
    const subscription = await ctx.stripe.subscriptions.retrieve(schedule.subscription as string);
    expect(subscription.items.data[0]?.quantity).toBe(3);
    const invoice = await ctx.stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ amount_paid: 4500, created: FEBRUARY_2024 });
  });

  it("starts a not-started schedule when the clock reaches its start_date", async () => {
    const price = await monthlyPrice();
    const { schedule, advance } = await scheduleOnClock({
      start_date: JANUARY_2024 + 10 * DAY,
      phases: [{ items: [{ price: price.id }] }],
    });
    expect(schedule.status).toBe("not_started");
    const types = await typesEmittedBy(ctx.emulator, () => advance(JANUARY_2024 + 11 * DAY));
    expect(types[1]).toBe("customer.subscription.created");
    expect(types).toContain("subscription_schedule.updated");
    const started = await ctx.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(started).toMatchObject({ status: "active" });
    const subscription = await ctx.stripe.subscriptions.retrieve(started.subscription as string);
    expect(subscription).toMatchObject({ start_date: JANUARY_2024 + 10 * DAY, schedule: schedule.id });
  });

  it("sends `expiring` seven days before the end, then completes: `release` keeps the subscription", async () => {
    const price = await monthlyPrice();
    const { schedule, advance } = await scheduleOnClock({
      start_date: JANUARY_2024,
      end_behavior: "release",
      phases: [{ items: [{ price: price.id }] }],
    });
    const early = await typesEmittedBy(ctx.emulator, () => advance(FEBRUARY_2024 - 8 * DAY));
    expect(early).not.toContain("subscription_schedule.expiring");
    const notice = await typesEmittedBy(ctx.emulator, () => advance(FEBRUARY_2024 - 7 * DAY));
    expect(notice).toEqual([
      "test_helpers.test_clock.advancing",
      "subscription_schedule.expiring",
      // Released, the subscription goes on: its renewal is announced the same day.
      "invoice.upcoming",
      "test_helpers.test_clock.ready",
    ]);
    const end = await typesEmittedBy(ctx.emulator, () => advance(FEBRUARY_2024));
    expect(end.slice(0, 4)).toEqual([
      "test_helpers.test_clock.advancing",
      "customer.subscription.updated",
      "subscription_schedule.completed",
      "customer.subscription.updated",
    ]);
    expect(await ctx.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: "completed",
      completed_at: FEBRUARY_2024,
    });
    expect(await ctx.stripe.subscriptions.retrieve(schedule.subscription as string)).toMatchObject({
      status: "active",
      schedule: null,
    });
  });

  it("completes with `cancel` by ending the subscription at the last phase's end", async () => {
    const price = await monthlyPrice();
    const end = JANUARY_2024 + 20 * DAY;
    const { schedule, advance } = await scheduleOnClock({
      start_date: JANUARY_2024,
      end_behavior: "cancel",
      phases: [{ items: [{ price: price.id }], end_date: end }],
    });
    const subscription = await ctx.stripe.subscriptions.retrieve(schedule.subscription as string);
    expect(subscription.cancel_at).toBe(end);
    const types = await typesEmittedBy(ctx.emulator, () => advance(end + DAY));
    expect(types).toEqual([
      "test_helpers.test_clock.advancing",
      "subscription_schedule.expiring",
      "customer.subscription.deleted",
      "subscription_schedule.completed",
      "test_helpers.test_clock.ready",
    ]);
    expect(await ctx.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: "canceled",
      ended_at: end,
    });
  });
});
