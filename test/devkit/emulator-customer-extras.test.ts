import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("a customer's legacy card sources", () => {
  it("adds a card from a test token as the default source, updates it and removes it, with Stripe's events", async () => {
    const customer = await ctx.stripe.customers.create({});
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const card = await ctx.stripe.customers.createSource(customer.id, { source: "tok_visa" });
      expect(card).toMatchObject({ object: "card", brand: "visa", last4: "4242", customer: customer.id });
      expect((await ctx.stripe.customers.retrieve(customer.id)) as { default_source: string }).toMatchObject({
        default_source: card.id,
      });
      await ctx.stripe.customers.updateSource(customer.id, card.id, { metadata: { foo: "bar" } });
      await ctx.stripe.customers.deleteSource(customer.id, card.id);
    });
    expect(types).toEqual([
      "customer.source.created",
      "customer.updated",
      "customer.source.updated",
      "customer.source.deleted",
      "customer.updated",
    ]);
    await expect(ctx.stripe.customers.createSource(customer.id, { source: "btok_us" })).rejects.toMatchObject({
      param: "source",
    });
  });
});

describe("the billing portal", () => {
  it("opens a session on the account's default configuration, and creates and updates configurations", async () => {
    const customer = await ctx.stripe.customers.create({});
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const session = await ctx.stripe.billingPortal.sessions.create({ customer: customer.id });
      expect(session).toMatchObject({ object: "billing_portal.session", customer: customer.id });
      const byDefault = await ctx.stripe.billingPortal.configurations.retrieve(session.configuration as string);
      expect(byDefault.is_default).toBe(true);
      const configuration = await ctx.stripe.billingPortal.configurations.create({
        business_profile: { headline: "Manage your plan" },
        features: { subscription_cancel: { enabled: true } },
      });
      expect(configuration.features.subscription_cancel.enabled).toBe(true);
      await ctx.stripe.billingPortal.configurations.update(configuration.id, { metadata: { foo: "bar" } });
    });
    expect(types).toEqual([
      "billing_portal.session.created",
      "billing_portal.configuration.created",
      "billing_portal.configuration.updated",
    ]);
  });
});

describe("payment links", () => {
  it("creates a link that sells a price, lists and expands its line items, and updates it", async () => {
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 1500,
      product_data: { name: "Link" },
    });
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const link = await ctx.stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 2 }] });
      expect(link).toMatchObject({ object: "payment_link", active: true, currency: "usd" });
      const items = await ctx.stripe.paymentLinks.listLineItems(link.id);
      expect(items.data.map((item) => [item.price?.id, item.quantity, item.amount_total])).toEqual([
        [price.id, 2, 3000],
      ]);
      const expanded = await ctx.stripe.paymentLinks.retrieve(link.id, { expand: ["line_items"] });
      expect(expanded.line_items?.data).toHaveLength(1);
      await ctx.stripe.paymentLinks.update(link.id, { active: false });
    });
    expect(types).toEqual(["payment_link.created", "payment_link.updated"]);
  });
});
