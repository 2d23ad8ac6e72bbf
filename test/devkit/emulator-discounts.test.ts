import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

/** 2024-01-01T00:00:00Z. */
const JANUARY_2024 = 1_704_067_200;

function utc(year: number, month: number, day = 1): number {
  return Date.UTC(year, month - 1, day) / 1000;
}

async function monthlyPrice(unitAmount = 2000, currency = "usd"): Promise<Stripe.Price> {
  return ctx.stripe.prices.create({
    currency,
    unit_amount: unitAmount,
    recurring: { interval: "month" },
    product_data: { name: "Pro" },
  });
}

/** A customer who pays by card, on a test clock when `frozenTime` is given. */
async function payingCustomer(frozenTime?: number) {
  const clock =
    frozenTime === undefined ? undefined : await ctx.stripe.testHelpers.testClocks.create({ frozen_time: frozenTime });
  const customer = await ctx.stripe.customers.create({
    ...(clock && { test_clock: clock.id }),
    payment_method: "pm_card_visa",
    invoice_settings: { default_payment_method: "pm_card_visa" },
  });
  return { clock, customer };
}

async function latestInvoice(subscription: Stripe.Subscription): Promise<Stripe.Invoice> {
  const current = await ctx.stripe.subscriptions.retrieve(subscription.id);
  return ctx.stripe.invoices.retrieve(current.latest_invoice as string);
}

async function chargedAmount(invoice: Stripe.Invoice): Promise<number> {
  const payments = await ctx.stripe.invoicePayments.list({ invoice: invoice.id });
  const intent = payments.data[0]?.payment.payment_intent as string;
  return (await ctx.stripe.paymentIntents.retrieve(intent)).amount;
}

/** The official client at an API version older than basil, which still sends `coupon` and `promotion_code`. */
function clientBeforeBasil(): Stripe {
  const url = new URL(ctx.emulator.url);
  return new Stripe("sk_test_older_account", {
    apiVersion: "2024-06-20" as Stripe.LatestApiVersion,
    host: url.hostname,
    port: url.port,
    protocol: "http",
  });
}

describe("discounts on subscriptions", () => {
  it("redeems a percent-off coupon into a discount, takes it off the first invoice and charges the rest", async () => {
    const { customer } = await payingCustomer();
    const price = await monthlyPrice(2000);
    const coupon = await ctx.stripe.coupons.create({ percent_off: 25, duration: "forever" });
    let subscription: Stripe.Subscription | undefined;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      subscription = await ctx.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id, quantity: 2 }],
        discounts: [{ coupon: coupon.id }],
        expand: ["discounts"],
      });
    });
    const discount = subscription?.discounts[0] as Stripe.Discount;
    expect(discount).toMatchObject({
      object: "discount",
      customer: customer.id,
      subscription: subscription?.id,
      source: { coupon: coupon.id, type: "coupon" },
      promotion_code: null,
      invoice: null,
      end: null,
    });
    expect(discount.id).toMatch(/^di_/);
    expect(types.slice(0, 2)).toEqual(["customer.discount.created", "customer.subscription.created"]);

    const invoice = await latestInvoice(subscription as Stripe.Subscription);
    expect(invoice).toMatchObject({
      subtotal: 4000,
      total: 3000,
      amount_due: 3000,
      amount_paid: 3000,
      discounts: [discount.id],
      total_discount_amounts: [{ amount: 1000, discount: discount.id }],
    });
    expect(invoice.lines.data[0]?.discount_amounts).toEqual([{ amount: 1000, discount: discount.id }]);
    expect(await chargedAmount(invoice)).toBe(3000);
    expect((await ctx.stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);
  });

  it("spreads an amount-off coupon over the lines in proportion, to the cent", async () => {
    const { customer } = await payingCustomer();
    const [small, large] = [await monthlyPrice(1000), await monthlyPrice(2000)];
    const coupon = await ctx.stripe.coupons.create({ amount_off: 1000, currency: "usd", duration: "once" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: small.id }, { price: large.id }],
      discounts: [{ coupon: coupon.id }],
    });
    const invoice = await latestInvoice(subscription);
    expect(invoice).toMatchObject({ subtotal: 3000, total: 2000, amount_paid: 2000 });
    const shares = invoice.lines.data.map((line) => line.discount_amounts?.[0]?.amount);
    expect(shares).toEqual([333, 667]);
  });

  it("redeems a promotion code, counting it on the code and its coupon", async () => {
    const { customer } = await payingCustomer();
    const price = await monthlyPrice(5000);
    const coupon = await ctx.stripe.coupons.create({ amount_off: 500, currency: "usd" });
    const code = await ctx.stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id } });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      discounts: [{ promotion_code: code.id }],
      expand: ["discounts"],
    });
    expect(subscription.discounts[0]).toMatchObject({ promotion_code: code.id, source: { coupon: coupon.id } });
    expect((await latestInvoice(subscription)).amount_paid).toBe(4500);
    expect((await ctx.stripe.promotionCodes.retrieve(code.id)).times_redeemed).toBe(1);
    expect((await ctx.stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);
  });

  it("replaces and clears a subscription's discounts, telling of them in customer.subscription.updated", async () => {
    const { customer } = await payingCustomer();
    const price = await monthlyPrice();
    const first = await ctx.stripe.coupons.create({ percent_off: 10, duration: "forever" });
    const second = await ctx.stripe.coupons.create({ percent_off: 20, duration: "forever" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      discounts: [{ coupon: first.id }],
    });
    const before = subscription.discounts;
    const since = ctx.emulator.events().length;
    const updated = await ctx.stripe.subscriptions.update(subscription.id, { discounts: [{ coupon: second.id }] });
    const events = ctx.emulator.events().slice(since);
    expect(events.map((event) => event.type)).toEqual([
      "customer.discount.deleted",
      "customer.discount.created",
      "customer.subscription.updated",
    ]);
    expect(events[2]?.data.previous_attributes).toEqual({ discounts: before });
    expect(updated.discounts).toHaveLength(1);
    expect(updated.discounts).not.toEqual(before);

    // `{discount}` keeps a discount already there, without redeeming its coupon again.
    const kept = await ctx.stripe.subscriptions.update(subscription.id, {
      discounts: [{ discount: updated.discounts[0] as string }],
    });
    expect(kept.discounts).toEqual(updated.discounts);
    expect((await ctx.stripe.coupons.retrieve(second.id)).times_redeemed).toBe(1);

    const cleared = await ctx.stripe.subscriptions.update(subscription.id, { discounts: "" });
    expect(cleared.discounts).toEqual([]);
  });

  it("deletes a subscription's discount and a customer's discount", async () => {
    const { customer } = await payingCustomer();
    const coupon = await ctx.stripe.coupons.create({ percent_off: 10, duration: "forever" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice()).id }],
      discounts: [{ coupon: coupon.id }],
    });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const deleted = await ctx.stripe.subscriptions.deleteDiscount(subscription.id);
      expect(deleted).toMatchObject({ object: "discount", deleted: true, subscription: subscription.id });
    });
    expect(types).toEqual(["customer.discount.deleted", "customer.subscription.updated"]);
    expect((await ctx.stripe.subscriptions.retrieve(subscription.id)).discounts).toEqual([]);
    await expect(ctx.stripe.subscriptions.deleteDiscount(subscription.id)).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
    });

    const older = clientBeforeBasil();
    await older.customers.update(customer.id, { coupon: coupon.id } as Stripe.CustomerUpdateParams);
    const customerTypes = await typesEmittedBy(ctx.emulator, async () => {
      const deleted = await ctx.stripe.customers.deleteDiscount(customer.id);
      expect(deleted).toMatchObject({ object: "discount", deleted: true, customer: customer.id });
    });
    expect(customerTypes).toEqual(["customer.discount.deleted", "customer.updated"]);
    expect((await ctx.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ discount: null });
  });

  it("applies a customer's discount to a subscription without one of its own, from the legacy parameters", async () => {
    const { customer } = await payingCustomer();
    const older = clientBeforeBasil();
    const coupon = await ctx.stripe.coupons.create({ percent_off: 50, duration: "forever" });
    const code = await ctx.stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id } });
    await older.customers.update(customer.id, { promotion_code: code.id } as Stripe.CustomerUpdateParams);
    const withDiscount = (await ctx.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(withDiscount.discount).toMatchObject({ promotion_code: code.id, customer: customer.id, subscription: null });

    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice(3000)).id }],
    });
    expect(subscription.discounts).toEqual([]);
    const invoice = await latestInvoice(subscription);
    expect(invoice).toMatchObject({ discounts: [withDiscount.discount?.id], amount_paid: 1500 });

    // Before basil a subscription took a `coupon` of its own, which wins over the customer's.
    const own = await ctx.stripe.coupons.create({ percent_off: 10, duration: "forever" });
    const legacy = await older.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice(3000)).id }],
      coupon: own.id,
    } as Stripe.SubscriptionCreateParams);
    expect((await latestInvoice(legacy as unknown as Stripe.Subscription)).amount_paid).toBe(2700);
  });
});

describe("durations over renewals on a test clock", () => {
  it("ends a `once` discount after the first invoice and a `repeating` one after its months", async () => {
    const { clock, customer } = await payingCustomer(JANUARY_2024);
    const price = await monthlyPrice(1000);
    const once = await ctx.stripe.coupons.create({ amount_off: 300, currency: "usd", duration: "once" });
    const twoMonths = await ctx.stripe.coupons.create({
      percent_off: 50,
      duration: "repeating",
      duration_in_months: 2,
    });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      discounts: [{ coupon: once.id }, { coupon: twoMonths.id }],
      expand: ["discounts"],
    });
    const [onceDiscount, repeating] = subscription.discounts as Stripe.Discount[];
    expect(repeating?.end).toBe(utc(2024, 3));
    // 1000, less 300, less half of the 700 left.
    expect(await latestInvoice(subscription)).toMatchObject({ total: 350, amount_paid: 350 });

    const preview = await ctx.stripe.invoices.createPreview({ subscription: subscription.id });
    expect(preview).toMatchObject({ total: 500, discounts: [repeating?.id] });

    const clockId = (clock as Stripe.TestHelpers.TestClock).id;
    const types = await typesEmittedBy(ctx.emulator, () =>
      ctx.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: utc(2024, 2, 2) }),
    );
    expect(types).toContain("customer.discount.deleted");
    const upcoming = ctx.emulator
      .events()
      .filter((event) => event.type === "invoice.upcoming")
      .map((event) => event.data.object as Stripe.Invoice)
      .find((invoice) => invoice.customer === customer.id);
    expect(upcoming).toMatchObject({ total: 500 });
    const february = await latestInvoice(subscription);
    expect(february).toMatchObject({ total: 500, amount_paid: 500, discounts: [repeating?.id] });
    expect(await chargedAmount(february)).toBe(500);
    const afterFebruary = await ctx.stripe.subscriptions.retrieve(subscription.id);
    expect(afterFebruary.discounts).toEqual([repeating?.id]);
    expect(afterFebruary.discounts).not.toContain(onceDiscount?.id);

    await ctx.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: utc(2024, 3, 2) });
    const march = await latestInvoice(subscription);
    expect(march).toMatchObject({ total: 1000, amount_paid: 1000, discounts: [], total_discount_amounts: [] });
    expect((await ctx.stripe.subscriptions.retrieve(subscription.id)).discounts).toEqual([]);
  });

  it("keeps a `once` discount through a trial's invoice at zero for the first invoice that charges", async () => {
    const { clock, customer } = await payingCustomer(JANUARY_2024);
    const once = await ctx.stripe.coupons.create({ percent_off: 40, duration: "once" });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthlyPrice(1000)).id }],
      trial_period_days: 7,
      discounts: [{ coupon: once.id }],
    });
    expect(await latestInvoice(subscription)).toMatchObject({ total: 0 });
    const clockId = (clock as Stripe.TestHelpers.TestClock).id;
    await ctx.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: JANUARY_2024 + 8 * 86_400 });
    expect(await latestInvoice(subscription)).toMatchObject({ total: 600, amount_paid: 600 });
    await ctx.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: utc(2024, 2, 10) });
    expect(await latestInvoice(subscription)).toMatchObject({ total: 1000, amount_paid: 1000 });
  });
});

describe("discounts on invoices and invoice items", () => {
  it("takes an item's discount before the invoice's, and expands both", async () => {
    const customer = await ctx.stripe.customers.create({});
    const tenOff = await ctx.stripe.coupons.create({ percent_off: 10, duration: "once" });
    const fiveDollars = await ctx.stripe.coupons.create({ amount_off: 500, currency: "usd", duration: "once" });
    const invoice = await ctx.stripe.invoices.create({ customer: customer.id, discounts: [{ coupon: tenOff.id }] });
    const item = await ctx.stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      amount: 3000,
      currency: "usd",
      discounts: [{ coupon: fiveDollars.id }],
    });
    expect(item.discounts).toHaveLength(1);
    const drafted = await ctx.stripe.invoices.retrieve(invoice.id, {
      expand: ["discounts", "lines.data.discounts", "total_discount_amounts.discount"],
    });
    const [invoiceDiscount] = drafted.discounts as Stripe.Discount[];
    expect(invoiceDiscount).toMatchObject({ object: "discount", invoice: invoice.id, invoice_item: null });
    const line = drafted.lines.data[0] as Stripe.InvoiceLineItem;
    expect(line.discounts[0]).toMatchObject({ object: "discount", invoice_item: item.id });
    // 3000 less the item's 500, then 10% of the 2500 left.
    expect(drafted).toMatchObject({ subtotal: 2500, total: 2250, amount_due: 2250 });
    expect(line.discount_amounts?.map((each) => each.amount)).toEqual([500, 250]);
    expect(drafted.total_discount_amounts?.map((each) => (each.discount as Stripe.Discount).object)).toEqual([
      "discount",
      "discount",
    ]);

    const cleared = await ctx.stripe.invoices.update(invoice.id, { discounts: "" });
    expect(cleared).toMatchObject({ discounts: [], total: 2500 });
    await ctx.stripe.invoices.finalizeInvoice(invoice.id);
    await expect(ctx.stripe.invoices.update(invoice.id, { discounts: [{ coupon: tenOff.id }] })).rejects.toMatchObject({
      statusCode: 400,
      code: "invoice_not_editable",
    });
  });

  it("gives a one-off invoice the customer's discount unless told not to", async () => {
    const customer = await ctx.stripe.customers.create({});
    const coupon = await ctx.stripe.coupons.create({ percent_off: 20, duration: "forever" });
    await clientBeforeBasil().customers.update(customer.id, { coupon: coupon.id } as Stripe.CustomerUpdateParams);
    await ctx.stripe.invoiceItems.create({ customer: customer.id, amount: 1000, currency: "usd" });
    const inherited = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
    });
    expect(inherited).toMatchObject({ total: 800 });
    await ctx.stripe.invoiceItems.create({ customer: customer.id, amount: 1000, currency: "usd" });
    expect(await ctx.stripe.invoices.createPreview({ customer: customer.id })).toMatchObject({ total: 800 });
    const without = await ctx.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: "include",
      discounts: "",
    });
    expect(without).toMatchObject({ discounts: [], total: 1000 });
  });
});

describe("what Stripe refuses", () => {
  it("refuses unknown, expired, used-up, mismatched and repeated coupons, naming the parameter", async () => {
    const customer = await ctx.stripe.customers.create({});
    const price = await monthlyPrice();
    const create = (discounts: Stripe.SubscriptionCreateParams.Discount[]) =>
      ctx.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], discounts });

    await expect(create([{ coupon: "nope" }])).rejects.toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "discounts[0][coupon]",
    });
    await expect(create([{ promotion_code: "promo_nope" }])).rejects.toMatchObject({
      code: "resource_missing",
      param: "discounts[0][promotion_code]",
    });
    const past = await ctx.stripe.coupons.create({ percent_off: 5, redeem_by: Math.floor(Date.now() / 1000) + 2 });
    const single = await ctx.stripe.coupons.create({ percent_off: 5, max_redemptions: 1 });
    await ctx.stripe.invoices.create({ customer: customer.id, discounts: [{ coupon: single.id }] });
    expect((await ctx.stripe.coupons.retrieve(single.id)).valid).toBe(false);
    await expect(create([{ coupon: single.id }])).rejects.toMatchObject({
      code: "coupon_expired",
      param: "discounts[0][coupon]",
    });
    const euros = await ctx.stripe.coupons.create({ amount_off: 100, currency: "eur" });
    await expect(create([{ coupon: euros.id }])).rejects.toMatchObject({
      statusCode: 400,
      param: "discounts[0][coupon]",
    });
    const twice = await ctx.stripe.coupons.create({ percent_off: 5 });
    const code = await ctx.stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: twice.id } });
    await expect(create([{ coupon: twice.id }, { promotion_code: code.id }])).rejects.toMatchObject({
      statusCode: 400,
      param: "discounts[1][promotion_code]",
    });
    expect((await ctx.stripe.coupons.retrieve(twice.id)).times_redeemed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(create([{ coupon: past.id }])).rejects.toMatchObject({ code: "coupon_expired" });
    expect((await ctx.stripe.coupons.retrieve(past.id)).valid).toBe(false);
  });

  it("refuses inactive, expired, used-up and restricted promotion codes", async () => {
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const price = await monthlyPrice(1000);
    const coupon = await ctx.stripe.coupons.create({ percent_off: 10 });
    const codeWith = (params: Partial<Stripe.PromotionCodeCreateParams>) =>
      ctx.stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, ...params });
    const create = (code: Stripe.PromotionCode) =>
      ctx.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        discounts: [{ promotion_code: code.id }],
      });

    const inactive = await codeWith({});
    await ctx.stripe.promotionCodes.update(inactive.id, { active: false });
    await expect(create(inactive)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/inactive/),
    });
    const usedUp = await codeWith({ max_redemptions: 1 });
    await create(usedUp);
    await expect(create(usedUp)).rejects.toMatchObject({ message: expect.stringMatching(/maximum/) });
    const someoneElses = await codeWith({ customer: (await ctx.stripe.customers.create({})).id });
    await expect(create(someoneElses)).rejects.toMatchObject({ param: "discounts[0][promotion_code]" });
    const minimum = await codeWith({ restrictions: { minimum_amount: 5000, minimum_amount_currency: "usd" } });
    await expect(create(minimum)).rejects.toMatchObject({ message: expect.stringMatching(/minimum/) });
    // The customer paid their first subscription above.
    const firstTime = await codeWith({ restrictions: { first_time_transaction: true } });
    await expect(create(firstTime)).rejects.toMatchObject({ message: expect.stringMatching(/prior transactions/) });
  });

  it("answers what the emulator does not support with a 400 naming the parameter", async () => {
    const customer = await ctx.stripe.customers.create({});
    const price = await monthlyPrice();
    const coupon = await ctx.stripe.coupons.create({ percent_off: 10 });
    await expect(
      ctx.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id, discounts: [{ coupon: coupon.id }] }],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      type: "StripeInvalidRequestError",
      param: "items[0][discounts]",
      message: expect.stringContaining("The emulator does not support `items[0][discounts]`"),
    });
    await expect(
      ctx.stripe.coupons.create({ percent_off: 10, applies_to: { products: ["prod_x"] } }),
    ).rejects.toMatchObject({ statusCode: 400, param: "applies_to" });
    await expect(
      ctx.stripe.invoices.createPreview({ customer: customer.id, discounts: [{ coupon: coupon.id }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: "discounts" });
  });
});
