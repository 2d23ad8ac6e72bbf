import { describe, expect, it } from "vitest";
import { testEventOfType, testEventTypes } from "../../src/cli/test-events.js";

/** The object an event type is about: `invoice.paid` an invoice, `customer.subscription.updated` a subscription. */
function objectOf(type: string): string {
  const prefix = type.split(".").slice(0, -1).join(".");
  return { "charge.dispute": "dispute", "customer.subscription": "subscription" }[prefix] ?? prefix;
}

describe("send-test-event's events", () => {
  it("are, for every known type, an event of that type about the object it names", async () => {
    const types = testEventTypes();
    expect(types).toContain("invoice.paid");
    for (const type of types) {
      const event = await testEventOfType(type);
      expect(event.type, type).toBe(type);
      expect((event.data.object as { object: string }).object, type).toBe(objectOf(type));
    }
  });

  it("refuses an unknown type in one line that says how to list the known ones", async () => {
    await expect(testEventOfType("invoice.payed")).rejects.toThrow(
      /^No test event of type "invoice\.payed": `stripe-inbox send-test-event --list` lists the \d+ known types\.$/,
    );
  });
});
