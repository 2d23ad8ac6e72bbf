import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("connected accounts and transfers", () => {
  it("announces an account's update and its leaving as events of that account", async () => {
    const account = await ctx.stripe.accounts.create({ type: "standard" });
    expect(account).toMatchObject({ object: "account", type: "standard", charges_enabled: true });
    const since = ctx.emulator.events().length;
    await ctx.stripe.accounts.update(account.id, { metadata: { foo: "bar" } });
    expect(await ctx.stripe.accounts.del(account.id)).toEqual({ id: account.id, object: "account", deleted: true });
    const events = ctx.emulator.events().slice(since);
    expect(events.map((event) => [event.type, event.account])).toEqual([
      ["account.updated", account.id],
      ["account.application.deauthorized", account.id],
    ]);
    await expect(ctx.stripe.accounts.retrieve(account.id)).rejects.toMatchObject({ code: "resource_missing" });
  });

  it("transfers from the available balance, reverses in part then in full, and refuses more than is available", async () => {
    await ctx.stripe.paymentIntents.create({
      amount: 1000,
      currency: "usd",
      payment_method: "pm_card_bypassPending",
      confirm: true,
    });
    const account = await ctx.stripe.accounts.create({});
    const available = async () =>
      (await ctx.stripe.balance.retrieve()).available.find((entry) => entry.currency === "usd")?.amount ?? 0;
    const before = await available();
    let transferId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const transfer = await ctx.stripe.transfers.create({ amount: 500, currency: "usd", destination: account.id });
      transferId = transfer.id;
      expect(await available()).toBe(before - 500);
      await ctx.stripe.transfers.update(transfer.id, { metadata: { foo: "bar" } });
      await ctx.stripe.transfers.createReversal(transfer.id, { amount: 100 });
      await ctx.stripe.transfers.createReversal(transfer.id);
    });
    expect(types).toEqual(["transfer.created", "transfer.updated", "transfer.reversed", "transfer.reversed"]);
    expect(await ctx.stripe.transfers.retrieve(transferId)).toMatchObject({ amount_reversed: 500, reversed: true });
    expect(await available()).toBe(before);
    await expect(
      ctx.stripe.transfers.create({ amount: before + 1, currency: "usd", destination: account.id }),
    ).rejects.toMatchObject({ code: "balance_insufficient" });
  });
});
