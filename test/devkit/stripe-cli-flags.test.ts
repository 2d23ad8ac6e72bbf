import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { CLI_API_KEY, runStripeCli } from "../support/stripe-cli.js";

/** The account version the CLI's fixtures are written for, as in stripe-cli-catalogue.test.ts. */
const ACCOUNT_API_VERSION = "2025-02-24.acacia";
const CONNECTED_ACCOUNT = "acct_1CliFlagsConnected";

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, apiVersion: ACCOUNT_API_VERSION });
  stripe = createStripeClient({ apiKey: CLI_API_KEY, apiBase: emulator.url }, "test");
});
afterAll(() => emulator.close());

/** Runs the real `stripe trigger` against the emulator and returns the events it caused, failing on a CLI error. */
async function trigger(event: string, ...flags: string[]): Promise<Stripe.Event[]> {
  const since = emulator.events().length;
  const result = await runStripeCli(["trigger", event, "--api-base", emulator.url, "--api-key", CLI_API_KEY, ...flags]);
  expect(result.output).toContain("Trigger succeeded!");
  expect(result.code).toBe(0);
  return emulator.events().slice(since);
}

function objectOf<T>(events: Stripe.Event[], type: string): T {
  const event = events.find((candidate) => candidate.type === type);
  if (!event) throw new Error(`no ${type} among ${events.map((candidate) => candidate.type).join(", ")}`);
  return event.data.object as T;
}

describe("the real Stripe CLI's trigger flags against the emulator", () => {
  it("--override, --add and --remove change the request the emulator receives", async () => {
    const events = await trigger(
      "payment_intent.created",
      "--override",
      "payment_intent:amount=4242",
      "--add",
      "payment_intent:metadata[order]=A-1",
      "--remove",
      "payment_intent:description",
    );
    const created = objectOf<Stripe.PaymentIntent>(events, "payment_intent.created");
    expect(created.amount).toBe(4242);
    expect(created.metadata).toEqual({ order: "A-1" });
    expect(created.description).toBeNull();
    const stored = await stripe.paymentIntents.retrieve(created.id);
    expect([stored.amount, stored.metadata.order, stored.description]).toEqual([4242, "A-1", null]);
  });

  it("--skip leaves out the named step and the events it would cause", async () => {
    const events = await trigger("plan.deleted", "--skip", "plan_deleted");
    expect(events.map((event) => event.type)).toEqual(["product.created", "plan.created"]);
    const plan = objectOf<Stripe.Plan>(events, "plan.created");
    expect((await stripe.plans.retrieve(plan.id)).id).toBe(plan.id);
  });

  it("--stripe-account acts on the connected account: its events carry the account, its objects stay apart", async () => {
    const events = await trigger("customer.created", "--stripe-account", CONNECTED_ACCOUNT);
    expect(events.map((event) => [event.type, event.account])).toEqual([["customer.created", CONNECTED_ACCOUNT]]);
    const customer = objectOf<Stripe.Customer>(events, "customer.created");
    expect((await stripe.customers.retrieve(customer.id, {}, { stripeAccount: CONNECTED_ACCOUNT })).id).toBe(
      customer.id,
    );
    await expect(stripe.customers.retrieve(customer.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("--api-version sends Stripe-Version, and an unknown version is refused as Stripe refuses it", async () => {
    const since = emulator.requests().length;
    await trigger("customer.created", "--api-version", "2024-06-20");
    expect(
      emulator
        .requests()
        .slice(since)
        .map((request) => request.stripeVersion),
    ).toEqual(["2024-06-20"]);

    const refused = await runStripeCli([
      "trigger",
      "customer.created",
      "--api-base",
      emulator.url,
      "--api-key",
      CLI_API_KEY,
      "--api-version",
      "2024-06-31",
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Trigger failed/);
    expect(refused.output).toContain("2024-06-31");
  });
});
