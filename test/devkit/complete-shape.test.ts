import { describe, expect, it } from "vitest";
import { completeObject, completeShape } from "../../src/devkit/emulator/schema/complete.js";
import { stripeSchema } from "../../src/devkit/emulator/schema/load.js";

const schema = stripeSchema();

describe("completing an answer from the schema", () => {
  it("adds null where a field may be null, and never makes up a scalar Stripe would know", () => {
    const charge: Record<string, unknown> = {
      id: "ch_1",
      object: "charge",
      payment_method_details: { type: "card", card: { brand: "visa", last4: "4242" } },
    };
    completeObject(schema, charge as { object: string });
    expect(charge).toMatchObject({
      customer: null,
      fraud_details: null,
      payment_method_details: {
        type: "card",
        card: { brand: "visa", last4: "4242", checks: null, three_d_secure: null, wallet: null, network: null },
      },
    });
    // A number that cannot be null has no default Stripe would agree with: the resource must set it.
    expect(charge).not.toHaveProperty("amount");
  });

  it("adds an empty array, an empty hash, or a nested object built the same way where null is not allowed", () => {
    const dispute: Record<string, unknown> = {
      id: "dp_1",
      object: "dispute",
      evidence_details: { has_evidence: false },
    };
    completeObject(schema, dispute as { object: string });
    expect(dispute).toMatchObject({
      balance_transactions: [],
      metadata: {},
      evidence_details: { has_evidence: false, due_by: null, enhanced_eligibility: {} },
    });
  });

  it("completes each item of a list, and each alternative by the object it is", () => {
    const list = {
      object: "list",
      data: [
        { id: "cus_1", object: "customer" },
        { id: "cus_2", object: "customer", deleted: true },
      ],
      has_more: false,
      url: "/v1/customers",
    };
    completeShape(schema, list, { list: [{ ref: "Customer" }, { ref: "DeletedCustomer" }] });
    expect(list.data[0]).toMatchObject({ email: null, default_source: null, metadata: {} });
    expect(list.data[1]).toEqual({ id: "cus_2", object: "customer", deleted: true });
  });

  it("completes an event's object by the event's type", () => {
    const event = {
      id: "evt_1",
      object: "event",
      type: "setup_intent.created",
      data: { object: { id: "seti_1", object: "setup_intent" } },
    };
    completeShape(
      schema,
      event,
      schema.endpoints.find((endpoint) => endpoint.path === "/v1/events/{id}")?.returns ?? "unknown",
    );
    expect(event.data.object).toMatchObject({ customer: null, last_setup_error: null, payment_method: null });
    expect(event.data.object).not.toHaveProperty("name");
  });
});
