import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("a customer's cash balance", () => {
  it("is funded by a test bank transfer, lists and retrieves its transactions, and says the funds are available", async () => {
    const customer = await ctx.stripe.customers.create({});
    expect(await ctx.stripe.customers.retrieveCashBalance(customer.id)).toMatchObject({
      object: "cash_balance",
      available: null,
      settings: { reconciliation_mode: "automatic", using_merchant_default: true },
    });
    let fundedId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const funded = await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, {
        amount: 1000,
        currency: "usd",
      });
      fundedId = funded.id;
      expect(funded).toMatchObject({
        object: "customer_cash_balance_transaction",
        type: "funded",
        net_amount: 1000,
        ending_balance: 1000,
        funded: { bank_transfer: { type: "us_bank_transfer" } },
      });
      await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 500, currency: "usd" });
    });
    expect(types).toEqual([
      "customer_cash_balance_transaction.created",
      "cash_balance.funds_available",
      "customer_cash_balance_transaction.created",
      "cash_balance.funds_available",
    ]);
    const funds = ctx.emulator.events().find((event) => event.type === "cash_balance.funds_available");
    expect(funds?.data.object).toMatchObject({
      object: "cash_balance",
      customer: customer.id,
      available: { usd: 1000 },
    });
    expect((await ctx.stripe.customers.retrieveCashBalance(customer.id)).available).toEqual({ usd: 1500 });
    const list = await ctx.stripe.customers.listCashBalanceTransactions(customer.id);
    expect(list.data.map((transaction) => transaction.ending_balance)).toEqual([1500, 1000]);
    expect(await ctx.stripe.customers.retrieveCashBalanceTransaction(customer.id, fundedId)).toMatchObject({
      id: fundedId,
    });
    const other = await ctx.stripe.customers.create({});
    await expect(ctx.stripe.customers.retrieveCashBalanceTransaction(other.id, fundedId)).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
    });
  });

  it("refuses a currency cash balances do not hold, and a customer that does not exist", async () => {
    const customer = await ctx.stripe.customers.create({});
    await expect(
      ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 100, currency: "chf" }),
    ).rejects.toMatchObject({ param: "currency" });
    await expect(
      ctx.stripe.testHelpers.customers.fundCashBalance("cus_missing", { amount: 100, currency: "usd" }),
    ).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("keeps funds in the balance under manual reconciliation", async () => {
    const customer = await ctx.stripe.customers.create({});
    const balance = await ctx.stripe.customers.updateCashBalance(customer.id, {
      settings: { reconciliation_mode: "manual" },
    });
    expect(balance.settings).toEqual({ reconciliation_mode: "manual", using_merchant_default: false });
    const intent = await payFromCashBalance(customer.id, 2000);
    await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 2000, currency: "eur" });
    expect((await ctx.stripe.paymentIntents.retrieve(intent.id)).status).toBe("requires_action");
    expect((await ctx.stripe.customers.retrieveCashBalance(customer.id)).available).toEqual({ eur: 2000 });
  });
});

describe("paying with the customer_balance payment method", () => {
  it("waits for a bank transfer, is partially funded, then succeeds once the rest arrives", async () => {
    const customer = await ctx.stripe.customers.create({});
    let intentId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const intent = await payFromCashBalance(customer.id, 3000);
      intentId = intent.id;
      expect(intent).toMatchObject({
        status: "requires_action",
        next_action: {
          type: "display_bank_transfer_instructions",
          display_bank_transfer_instructions: { amount_remaining: 3000, currency: "eur", type: "eu_bank_transfer" },
        },
      });
      await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 1000, currency: "eur" });
      const partial = await ctx.stripe.paymentIntents.retrieve(intent.id);
      expect(partial.next_action?.display_bank_transfer_instructions?.amount_remaining).toBe(2000);
      await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 2500, currency: "eur" });
    });
    expect(types).toEqual([
      "payment_intent.created",
      "payment_intent.requires_action",
      "customer_cash_balance_transaction.created",
      "customer_cash_balance_transaction.created",
      "payment_intent.partially_funded",
      "customer_cash_balance_transaction.created",
      "customer_cash_balance_transaction.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "cash_balance.funds_available",
    ]);
    const paid = await ctx.stripe.paymentIntents.retrieve(intentId, { expand: ["latest_charge"] });
    expect(paid).toMatchObject({ status: "succeeded", amount_received: 3000, next_action: null });
    expect(paid.latest_charge).toMatchObject({ payment_method_details: { type: "customer_balance" } });
    expect((await ctx.stripe.customers.retrieveCashBalance(customer.id)).available).toEqual({ eur: 500 });
  });

  it("takes what the balance already holds when the intent is confirmed", async () => {
    const customer = await ctx.stripe.customers.create({});
    await ctx.stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 5000, currency: "eur" });
    const intent = await payFromCashBalance(customer.id, 3000);
    expect((await ctx.stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    expect((await ctx.stripe.customers.retrieveCashBalance(customer.id)).available).toEqual({ eur: 2000 });
  });

  it("needs a customer and the bank transfer type, and refuses a type Stripe does not offer", async () => {
    await expect(
      ctx.stripe.paymentIntents.create({
        amount: 1000,
        currency: "eur",
        allowed_payment_method_types: ["customer_balance"],
        payment_method_data: { type: "customer_balance" },
        payment_method_options: {
          customer_balance: { funding_type: "bank_transfer", bank_transfer: { type: "eu_bank_transfer" } },
        },
        confirm: true,
      }),
    ).rejects.toMatchObject({ param: "customer" });
    const customer = await ctx.stripe.customers.create({});
    await expect(
      ctx.stripe.paymentIntents.create({
        amount: 1000,
        currency: "jpy",
        customer: customer.id,
        allowed_payment_method_types: ["customer_balance"],
        payment_method_data: { type: "customer_balance" },
        payment_method_options: {
          customer_balance: { funding_type: "bank_transfer", bank_transfer: { type: "jp_bank_account" } },
        },
        confirm: true,
      }),
    ).rejects.toMatchObject({ param: "payment_method_options[customer_balance][bank_transfer][type]" });
  });
});

function payFromCashBalance(customer: string, amount: number) {
  return ctx.stripe.paymentIntents.create({
    amount,
    currency: "eur",
    customer,
    allowed_payment_method_types: ["customer_balance"],
    payment_method_data: { type: "customer_balance" },
    payment_method_options: {
      customer_balance: { funding_type: "bank_transfer", bank_transfer: { type: "eu_bank_transfer" } },
    },
    confirm: true,
  });
}
