import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("reporting: report types and runs", () => {
  it("lists the report types it can run, and retrieves one with its columns and available data", async () => {
    const types = await ctx.stripe.reporting.reportTypes.list();
    expect(types.data.map((type) => type.id)).toContain("balance.summary.1");
    const summary = await ctx.stripe.reporting.reportTypes.retrieve("balance.summary.1");
    expect(summary).toMatchObject({
      object: "reporting.report_type",
      name: "Balance summary",
      default_columns: ["category", "description", "net_amount", "currency"],
      version: 1,
    });
    expect(summary.data_available_start).toBeLessThan(summary.data_available_end);
    await expect(ctx.stripe.reporting.reportTypes.retrieve("no_such.report.1")).rejects.toMatchObject({
      code: "resource_missing",
    });
  });

  it("answers a new run pending, then succeeds with a CSV file of the interval's balance transactions", async () => {
    await ctx.stripe.paymentIntents.create({
      amount: 2000,
      currency: "usd",
      payment_method: "pm_card_bypassPending",
      confirm: true,
    });
    // An interval ends before its `interval_end`, which cannot pass the data available now: the next second.
    await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
    const now = Math.floor(Date.now() / 1000);
    let run = {} as Stripe.Reporting.ReportRun;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      run = await ctx.stripe.reporting.reportRuns.create({
        report_type: "balance_change_from_activity.itemized.1",
        parameters: { interval_start: now - 3600, interval_end: now, columns: ["balance_transaction_id", "net"] },
      });
    });
    expect(types).toEqual(["reporting.report_run.succeeded"]);
    expect(run).toMatchObject({ object: "reporting.report_run", status: "pending", result: null });
    expect(run.parameters).toEqual({
      interval_start: now - 3600,
      interval_end: now,
      columns: ["balance_transaction_id", "net"],
    });
    const done = await ctx.stripe.reporting.reportRuns.retrieve(run.id);
    expect(done).toMatchObject({
      status: "succeeded",
      result: { object: "file", purpose: "finance_report_run", type: "csv", filename: `${run.id}.csv` },
    });
    const [transaction] = (await ctx.stripe.balanceTransactions.list({ limit: 1 })).data;
    // The header and one row: `balance_transaction_id,net\n` and `txn_...,<net>.00\n`.
    const csv = `balance_transaction_id,net\n${transaction?.id},${((transaction?.net ?? 0) / 100).toFixed(2)}\n`;
    expect(done.result?.size).toBe(Buffer.byteLength(csv));
    const listed = await ctx.stripe.reporting.reportRuns.list({ limit: 1 });
    expect(listed.data.map((each) => each.id)).toEqual([run.id]);
  });

  it("refuses an unknown report type, a column the report lacks, and an interval past the available data", async () => {
    await expect(ctx.stripe.reporting.reportRuns.create({ report_type: "nope.1" })).rejects.toMatchObject({
      code: "resource_missing",
      param: "report_type",
    });
    await expect(
      ctx.stripe.reporting.reportRuns.create({ report_type: "balance.summary.1", parameters: { columns: ["fee"] } }),
    ).rejects.toMatchObject({ param: "parameters[columns]" });
    const later = Math.floor(Date.now() / 1000) + 86_400;
    await expect(
      ctx.stripe.reporting.reportRuns.create({ report_type: "balance.summary.1", parameters: { interval_end: later } }),
    ).rejects.toMatchObject({ param: "parameters[interval_end]" });
  });
});
