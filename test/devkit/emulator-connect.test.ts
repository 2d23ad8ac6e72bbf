import { createServer } from "node:http";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { verifySignature } from "../../src/verify/verify.js";
import { listen } from "../support/servers.js";

const ACCOUNT = "acct_1ConnectedA";
const OTHER = "acct_1ConnectedB";
const asAccount = (account: string) => ({ stripeAccount: account });

let emulator: RunningEmulator;
let stripe: Stripe;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, deliveryRetrySchedule: [20, 40, 80] });
  stripe = createStripeClient({ apiKey: "sk_test_connect", apiBase: emulator.url }, "test");
});
afterAll(async () => {
  await emulator.close();
});

/** A webhook endpoint that keeps the events it got, checked against the endpoint's secret. */
async function recordingEndpoint(params: { connect: boolean; account?: string }) {
  const received: Stripe.Event[] = [];
  let secret = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      verifySignature(body, req.headers["stripe-signature"] as string, { secrets: [secret] });
      received.push(JSON.parse(body.toString()) as Stripe.Event);
      res.end("ok");
    });
  });
  const url = await listen(server);
  const owner = params.account === undefined ? {} : asAccount(params.account);
  const endpoint = await stripe.webhookEndpoints.create(
    { url, enabled_events: ["product.created"], connect: params.connect },
    owner,
  );
  secret = endpoint.secret as string;
  return {
    received,
    async close() {
      await stripe.webhookEndpoints.del(endpoint.id, {}, owner);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("the emulator's Connect accounts (Stripe-Account)", () => {
  it("keeps the same id under the platform and a connected account as two objects", async () => {
    await stripe.products.create({ id: "prod_shared_id", name: "Platform's" });
    await stripe.products.create({ id: "prod_shared_id", name: "Connected" }, asAccount(ACCOUNT));
    expect((await stripe.products.retrieve("prod_shared_id")).name).toBe("Platform's");
    expect((await stripe.products.retrieve("prod_shared_id", {}, asAccount(ACCOUNT))).name).toBe("Connected");
    await stripe.products.update("prod_shared_id", { name: "Connected, renamed" }, asAccount(ACCOUNT));
    expect((await stripe.products.retrieve("prod_shared_id")).name).toBe("Platform's");
  });

  it("lists each account's own objects only", async () => {
    const mine = await stripe.customers.create({ email: "a@example.com" }, asAccount(OTHER));
    const platform = await stripe.customers.create({ email: "p@example.com" });
    const listed = await stripe.customers.list({ limit: 100 }, asAccount(OTHER));
    expect(listed.data.map((customer) => customer.id)).toEqual([mine.id]);
    const platformIds = (await stripe.customers.list({ limit: 100 })).data.map((customer) => customer.id);
    expect(platformIds).toContain(platform.id);
    expect(platformIds).not.toContain(mine.id);
  });

  it("answers 404 for another account's object", async () => {
    const platform = await stripe.customers.create({ email: "p@example.com" });
    await expect(stripe.customers.retrieve(platform.id, {}, asAccount(ACCOUNT))).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
    });
  });

  it("stamps a connected account's events with `account` and lists them under that account only", async () => {
    const customer = await stripe.customers.create({ email: "evt@example.com" }, asAccount(ACCOUNT));
    const listed = await stripe.events.list({ type: "customer.created", limit: 100 }, asAccount(ACCOUNT));
    const event = listed.data.find((candidate) => (candidate.data.object as { id: string }).id === customer.id);
    expect(event?.account).toBe(ACCOUNT);
    const platformEvents = await stripe.events.list({ type: "customer.created", limit: 100 });
    expect(platformEvents.data.some((candidate) => candidate.id === event?.id)).toBe(false);
    expect(platformEvents.data.every((candidate) => candidate.account === undefined)).toBe(true);
    await expect(stripe.events.retrieve(event?.id as string, {}, asAccount(ACCOUNT))).resolves.toMatchObject({
      account: ACCOUNT,
    });
  });

  it("sends connected accounts' events to Connect endpoints and the platform's to the others", async () => {
    const connect = await recordingEndpoint({ connect: true });
    const own = await recordingEndpoint({ connect: false });
    const connected = await stripe.products.create({ name: "Connected" }, asAccount(ACCOUNT));
    const platform = await stripe.products.create({ name: "Platform" });
    await emulator.deliveriesSettled();
    const about = (events: Stripe.Event[]) =>
      events.map((event) => [(event.data.object as { id: string }).id, event.account ?? null]);
    expect(about(connect.received)).toEqual([[connected.id, ACCOUNT]]);
    expect(about(own.received)).toEqual([[platform.id, null]]);
    await connect.close();
    await own.close();
  });

  it("sends a connected account's own endpoint that account's events only", async () => {
    const own = await recordingEndpoint({ connect: false, account: OTHER });
    await stripe.products.create({ name: "Elsewhere" }, asAccount(ACCOUNT));
    await stripe.products.create({ name: "Platform" });
    const mine = await stripe.products.create({ name: "Mine" }, asAccount(OTHER));
    await emulator.deliveriesSettled();
    expect(own.received.map((event) => [(event.data.object as { id: string }).id, event.account])).toEqual([
      [mine.id, OTHER],
    ]);
    await own.close();
  });

  it("refuses a Stripe-Account that is not an account id", async () => {
    await expect(stripe.customers.list({}, asAccount("cus_not_an_account"))).rejects.toBeInstanceOf(
      Stripe.errors.StripePermissionError,
    );
  });
});
