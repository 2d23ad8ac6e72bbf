import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

const HOUR = 3600;
/** A whole day, so summaries by hour and by day line up with it. */
const DAY_START = 1_767_225_600;

describe("billing meters", () => {
  it("creates a meter with Stripe's defaults, renames, deactivates and reactivates it, each with its event", async () => {
    let meterId = "";
    const types = await typesEmittedBy(ctx.emulator, async () => {
      const meter = await ctx.stripe.billing.meters.create({
        display_name: "API calls",
        event_name: "api_call",
        default_aggregation: { formula: "sum" },
      });
      meterId = meter.id;
      expect(meter).toMatchObject({
        object: "billing.meter",
        status: "active",
        customer_mapping: { event_payload_key: "stripe_customer_id", type: "by_id" },
        value_settings: { event_payload_key: "value" },
      });
      await ctx.stripe.billing.meters.update(meter.id, { display_name: "Calls" });
      expect(await ctx.stripe.billing.meters.deactivate(meter.id)).toMatchObject({ status: "inactive" });
      expect((await ctx.stripe.billing.meters.list({ status: "active" })).data.map((each) => each.id)).not.toContain(
        meter.id,
      );
      await ctx.stripe.billing.meters.reactivate(meter.id);
    });
    expect(types).toEqual([
      "billing.meter.created",
      "billing.meter.updated",
      "billing.meter.deactivated",
      "billing.meter.reactivated",
    ]);
    expect(await ctx.stripe.billing.meters.retrieve(meterId)).toMatchObject({
      display_name: "Calls",
      status: "active",
      status_transitions: { deactivated_at: null },
    });
  });

  it("refuses a second meter for the same event name, a formula Stripe does not have, and reactivating an active meter", async () => {
    const meter = await ctx.stripe.billing.meters.create({
      display_name: "Seats",
      event_name: "seat",
      default_aggregation: { formula: "last" },
    });
    await expect(
      ctx.stripe.billing.meters.create({
        display_name: "Again",
        event_name: "seat",
        default_aggregation: { formula: "sum" },
      }),
    ).rejects.toMatchObject({ param: "event_name" });
    await expect(
      ctx.stripe.billing.meters.create({
        display_name: "Odd",
        event_name: "odd",
        default_aggregation: { formula: "average" as "sum" },
      }),
    ).rejects.toMatchObject({ param: "default_aggregation[formula]" });
    await expect(ctx.stripe.billing.meters.reactivate(meter.id)).rejects.toMatchObject({ statusCode: 400 });
    await expect(ctx.stripe.billing.meters.retrieve("mtr_missing")).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("meter events and their summaries", () => {
  it("sums a customer's events per window, leaving out other customers' and canceled ones", async () => {
    const meter = await ctx.stripe.billing.meters.create({
      display_name: "Tokens",
      event_name: "tokens",
      default_aggregation: { formula: "sum" },
    });
    const report = (customer: string, value: string, timestamp: number, identifier?: string) =>
      ctx.stripe.billing.meterEvents.create({
        event_name: "tokens",
        payload: { stripe_customer_id: customer, value },
        timestamp,
        ...(identifier !== undefined && { identifier }),
      });
    const event = await report("cus_a", "10", DAY_START + 60);
    expect(event).toMatchObject({ object: "billing.meter_event", event_name: "tokens", timestamp: DAY_START + 60 });
    await report("cus_a", "5", DAY_START + HOUR + 60);
    await report("cus_b", "100", DAY_START + 60);
    await report("cus_a", "7", DAY_START + 120, "to-cancel");
    await expect(report("cus_a", "7", DAY_START + 120, "to-cancel")).rejects.toMatchObject({ param: "identifier" });
    const adjustment = await ctx.stripe.billing.meterEventAdjustments.create({
      event_name: "tokens",
      type: "cancel",
      cancel: { identifier: "to-cancel" },
    });
    expect(adjustment).toMatchObject({ object: "billing.meter_event_adjustment", cancel: { identifier: "to-cancel" } });

    const whole = await ctx.stripe.billing.meters.listEventSummaries(meter.id, {
      customer: "cus_a",
      start_time: DAY_START,
      end_time: DAY_START + 24 * HOUR,
    });
    expect(whole.data.map((summary) => summary.aggregated_value)).toEqual([15]);
    const hourly = await ctx.stripe.billing.meters.listEventSummaries(meter.id, {
      customer: "cus_a",
      start_time: DAY_START,
      end_time: DAY_START + 2 * HOUR,
      value_grouping_window: "hour",
    });
    expect(hourly.data.map((summary) => [summary.start_time, summary.aggregated_value])).toEqual([
      [DAY_START + HOUR, 5],
      [DAY_START, 10],
    ]);
    await expect(
      ctx.stripe.billing.meters.listEventSummaries(meter.id, {
        customer: "cus_a",
        start_time: DAY_START,
        end_time: DAY_START,
      }),
    ).rejects.toMatchObject({ param: "end_time" });
  });

  it("counts events, or keeps the latest value, as the meter's formula says", async () => {
    for (const [formula, expected] of [
      ["count", 2],
      ["last", 3],
    ] as const) {
      const meter = await ctx.stripe.billing.meters.create({
        display_name: formula,
        event_name: `by_${formula}`,
        default_aggregation: { formula },
      });
      await ctx.stripe.billing.meterEvents.create({
        event_name: `by_${formula}`,
        payload: { stripe_customer_id: "cus_c", value: "3" },
        timestamp: DAY_START + 200,
      });
      await ctx.stripe.billing.meterEvents.create({
        event_name: `by_${formula}`,
        payload: { stripe_customer_id: "cus_c", value: "9" },
        timestamp: DAY_START + 100,
      });
      const summaries = await ctx.stripe.billing.meters.listEventSummaries(meter.id, {
        customer: "cus_c",
        start_time: DAY_START,
        end_time: DAY_START + HOUR,
      });
      expect(summaries.data[0]?.aggregated_value).toBe(expected);
    }
  });
});
