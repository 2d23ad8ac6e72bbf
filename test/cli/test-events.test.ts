import { describe, expect, it } from "vitest";
import { testEventOfType, testEventTypes } from "../../src/cli/test-events.js";

/** The object an event type is about: `invoice.paid` an invoice, `customer.subscription.updated` a subscription. */
function objectOf(type: string): string {
  const prefix = type.split(".").slice(0, -1).join(".");
  const named: Record<string, string> = {
    "account.application": "application",
    "charge.dispute": "dispute",
    "charge.refund": "refund",
    "customer.discount": "discount",
    // The fixture adds a card token as the source.
    "customer.source": "card",
    "customer.subscription": "subscription",
  };
  return named[prefix] ?? prefix.replace(/^issuing_/, "issuing.");
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
