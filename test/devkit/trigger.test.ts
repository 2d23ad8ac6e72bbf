// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${name:path}` is the Stripe CLI fixture reference syntax.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trigger, triggerDirect, triggerEvents } from "../../src/devkit/trigger/index.js";
import { tempDir } from "../support/stores.js";
import {
  type EmulatorClient,
  inboxWithEndpoint,
  inboxWithSecret,
  startEmulatorClient,
  type TestInbox,
  typesEmittedBy,
} from "./emulator-setup.js";

let ctx: EmulatorClient;
let inbox: TestInbox;
beforeAll(async () => {
  ctx = await startEmulatorClient();
  inbox = await inboxWithEndpoint(ctx.stripe);
});
afterAll(async () => {
  await inbox.close();
  await ctx.emulator.close();
});

function target() {
  return { apiBase: ctx.emulator.url, apiKey: "sk_test_trigger" };
}

describe("stripe-inbox trigger against the emulator", () => {
  it("has built-in fixtures for at least 30 of the most used events", () => {
    expect(triggerEvents().length).toBeGreaterThanOrEqual(30);
  });

  it("delivers payment_intent.succeeded's sequence, signed, to the inbox in Stripe's order", async () => {
    await ctx.emulator.deliveriesSettled();
    const before = (await inbox.deliveries()).length;
    await trigger("payment_intent.succeeded", target());
    await ctx.emulator.deliveriesSettled();
    const delivered = (await inbox.deliveries()).slice(before);
    expect(delivered.map((row) => [row.type, row.outcome])).toEqual([
      ["payment_intent.created", "stored"],
      ["charge.succeeded", "stored"],
      ["payment_intent.succeeded", "stored"],
      ["charge.updated", "stored"],
    ]);
  });

  it("runs customer.subscription.created as the Stripe CLI does: customer, product, price, subscription", async () => {
    const names: string[] = [];
    const types = await typesEmittedBy(ctx.emulator, () =>
      trigger("customer.subscription.created", { ...target(), onRequest: (name) => names.push(name) }),
    );
    expect(names).toEqual(["customer", "product", "price", "subscription"]);
    expect(types.slice(0, 6)).toEqual([
      "customer.created",
      "payment_method.attached",
      "customer.updated",
      "product.created",
      "price.created",
      "customer.subscription.created",
    ]);
    expect(types.slice(6, 8)).toEqual(["invoice.created", "invoice.finalized"]);
    expect(types.slice(-3)).toEqual(["invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated"]);
  });

  it("applies --override, --add and --remove to the fixture's params", async () => {
    const responses = await trigger("payment_intent.created", {
      ...target(),
      override: ["payment_intent:amount=4242"],
      add: ["payment_intent:metadata.order=77"],
      remove: ["payment_intent:description"],
    });
    expect(responses[0]?.body).toMatchObject({ amount: 4242, metadata: { order: "77" }, description: null });
  });

  it("skips the requests named with --skip", async () => {
    const responses = await trigger("customer.updated", { ...target(), skip: ["customer_update"] });
    expect(responses.map((response) => response.name)).toEqual(["customer"]);
  });

  it("refuses an override of a param the fixture lacks, and an unknown request name, in one line", async () => {
    await expect(
      trigger("payment_intent.created", { ...target(), override: ["payment_intent:nope=1"] }),
    ).rejects.toThrow(/has no param "nope"; use --add/);
    await expect(trigger("customer.created", { ...target(), add: ["cust:name=x"] })).rejects.toThrow(
      /no request named "cust" \(it has: customer\)/,
    );
    await expect(trigger("no.such_event", target())).rejects.toThrow(/No built-in fixture for "no.such_event"/);
  });

  it("runs a user's fixture file with references and environment defaults", async () => {
    const path = join(tempDir(), "fixture.json");
    writeFileSync(
      path,
      JSON.stringify({
        _meta: { template_version: 0 },
        fixtures: [
          {
            name: "cus_jenny",
            path: "/v1/customers",
            method: "post",
            params: { email: "${.env:EMAIL|jenny@example.com}" },
          },
          {
            name: "pi_jenny",
            path: "/v1/payment_intents",
            method: "post",
            params: {
              customer: "${cus_jenny:id}",
              amount: 2000,
              currency: "usd",
              payment_method: "pm_card_visa",
              capture_method: "manual",
              confirm: true,
            },
          },
          { name: "pi_jenny_capture", path: "/v1/payment_intents/${pi_jenny:id}/capture", method: "post" },
        ],
      }),
    );
    const responses = await trigger(undefined, { ...target(), fixturePath: path, env: {} });
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(responses[0]?.body).toMatchObject({ email: "jenny@example.com" });
    expect(responses[2]?.body).toMatchObject({
      status: "succeeded",
      customer: (responses[0]?.body as { id: string } | undefined)?.id,
    });
  });

  it("stops at a request the API refuses, naming it and Stripe's message", async () => {
    const path = join(tempDir(), "bad.json");
    writeFileSync(
      path,
      JSON.stringify({
        fixtures: [{ name: "pi", path: "/v1/payment_intents", method: "post", params: { currency: "usd" } }],
      }),
    );
    await expect(trigger(undefined, { ...target(), fixturePath: path })).rejects.toThrow(
      "POST /v1/payment_intents (pi) answered 400: Missing required param: amount.",
    );
  });
});

describe("stripe-inbox trigger --direct", () => {
  it("posts customer.subscription.created's whole sequence, signed with the given secret, with no emulator running", async () => {
    const secret = "whsec_direct_test_secret";
    const direct = await inboxWithSecret(secret);
    try {
      const sent = await triggerDirect("customer.subscription.created", { url: direct.url, secret });
      expect(sent.every(({ status }) => status === 200)).toBe(true);
      const stored = await direct.deliveries();
      expect(stored.map((row) => row.outcome)).toEqual(sent.map(() => "stored"));
      expect(stored.map((row) => row.type)).toEqual(sent.map(({ event }) => event.type));
      expect(stored.map((row) => row.type)).toContain("invoice.payment_succeeded");
      expect(stored[0]?.type).toBe("customer.created");
    } finally {
      await direct.close();
    }
  });
});
