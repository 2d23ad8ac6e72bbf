import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { verifySignature } from "../../src/verify/verify.js";
import { bannerUrl, CLI, cleanEnv } from "../support/processes.js";
import { listen } from "../support/servers.js";
import { tempDir } from "../support/stores.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(dataDir: string): Promise<{ emulator: RunningEmulator; stripe: Stripe }> {
  const emulator = await startEmulator({ port: 0, dataDir, deliveryRetrySchedule: [] });
  const closeOnce = emulator.close.bind(emulator);
  let closed = false;
  const close = async () => {
    if (!closed) await closeOnce();
    closed = true;
  };
  cleanups.push(close);
  const stripe = createStripeClient({ apiKey: "sk_test_persist", apiBase: emulator.url }, "test");
  return { emulator: Object.assign(emulator, { close }), stripe };
}

/** An endpoint that records each delivery's body and signature. */
async function recordingEndpoint(): Promise<{ url: string; received: { body: string; signature: string }[] }> {
  const received: { body: string; signature: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ body, signature: String(req.headers["stripe-signature"]) });
      res.writeHead(200).end();
    });
  });
  const base = await listen(server);
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `${base}/hook`, received };
}

async function ids(list: Promise<{ data: { id: string }[] }>): Promise<string[]> {
  return (await list).data.map((object) => object.id);
}

describe("emulator --data", () => {
  it("keeps customers, a payment with its charge, endpoints with their secrets, events and idempotent answers across a restart", async () => {
    const dataDir = tempDir("emulator-data-");
    const hook = await recordingEndpoint();
    const first = await open(dataDir);
    const endpoint = await first.stripe.webhookEndpoints.create({
      url: hook.url,
      enabled_events: ["customer.created"],
    });
    const alice = await first.stripe.customers.create({ email: "alice@example.com", metadata: { plan: "pro" } });
    const bob = await first.stripe.customers.create({ email: "bob@example.com" });
    await first.stripe.customers.update(bob.id, { name: "Bob" });
    const gone = await first.stripe.customers.create({ email: "gone@example.com" });
    await first.stripe.customers.del(gone.id);
    const intent = await first.stripe.paymentIntents.create({
      amount: 1200,
      currency: "usd",
      customer: alice.id,
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const keyed = await first.stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: "once" });
    await first.emulator.deliveriesSettled();
    const eventsBefore = first.emulator.events().map((event) => event.id);
    const customersBefore = await ids(first.stripe.customers.list({ limit: 100 }));
    const chargeBefore = await first.stripe.charges.retrieve(intent.latest_charge as string);
    await first.emulator.close();

    const second = await open(dataDir);
    expect(await ids(second.stripe.customers.list({ limit: 100 }))).toEqual(customersBefore);
    expect(await second.stripe.customers.retrieve(alice.id)).toMatchObject({ metadata: { plan: "pro" } });
    expect(await second.stripe.customers.retrieve(bob.id)).toMatchObject({ name: "Bob" });
    expect(await second.stripe.customers.retrieve(gone.id)).toMatchObject({ deleted: true });
    const intentAfter = await second.stripe.paymentIntents.retrieve(intent.id);
    expect(intentAfter).toMatchObject({ status: "succeeded", latest_charge: chargeBefore.id });
    expect(await second.stripe.charges.retrieve(chargeBefore.id)).toEqual(chargeBefore);
    expect(second.emulator.events().map((event) => event.id)).toEqual(eventsBefore);
    expect(await ids(second.stripe.events.list({ limit: 100 }))).toEqual([...eventsBefore].reverse());
    const retried = await second.stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: "once" });
    expect(retried.id).toBe(keyed.id);

    // The endpoint, and its secret, still sign what it is sent.
    const sentBefore = hook.received.length;
    const carol = await second.stripe.customers.create({ email: "carol@example.com" });
    await second.emulator.deliveriesSettled();
    const delivery = hook.received.slice(sentBefore).find((received) => received.body.includes(carol.id));
    expect(delivery).toBeDefined();
    const { body, signature } = delivery as { body: string; signature: string };
    expect(() =>
      verifySignature(new TextEncoder().encode(body), signature, { secrets: [endpoint.secret as string] }),
    ).not.toThrow();
    expect((await second.stripe.webhookEndpoints.retrieve(endpoint.id)).url).toBe(hook.url);
  });

  it("empties the state, on disk too, on POST /_emulator/reset", async () => {
    const dataDir = tempDir("emulator-data-");
    const first = await open(dataDir);
    await first.stripe.customers.create({ email: "a@example.com" });
    await first.stripe.products.create({ name: "Widget" });
    const answer = await fetch(`${first.emulator.url}/_emulator/reset`, { method: "POST" });
    expect(answer.status).toBe(200);
    expect(await ids(first.stripe.customers.list())).toEqual([]);
    expect(await ids(first.stripe.products.list())).toEqual([]);
    expect(first.emulator.events()).toEqual([]);
    const after = await first.stripe.customers.create({ email: "after@example.com" });
    await first.emulator.close();

    const second = await open(dataDir);
    expect(await ids(second.stripe.customers.list())).toEqual([after.id]);
    expect(second.emulator.events().map((event) => event.type)).toEqual(["customer.created"]);
  });

  it("skips a final record torn by a crash, and keeps what is written after it", async () => {
    const dataDir = tempDir("emulator-data-");
    const first = await open(dataDir);
    const kept = await first.stripe.customers.create({ email: "kept@example.com" });
    await first.emulator.close();
    const journal = join(dataDir, "emulator.jsonl");
    const whole = readFileSync(journal, "utf8");
    appendFileSync(journal, whole.split("\n")[0]?.slice(0, 40) ?? "{");

    const second = await open(dataDir);
    expect(await ids(second.stripe.customers.list())).toEqual([kept.id]);
    const later = await second.stripe.customers.create({ email: "later@example.com" });
    await second.emulator.close();

    const third = await open(dataDir);
    expect(await ids(third.stripe.customers.list())).toEqual([later.id, kept.id]);
  });

  it("refuses a second emulator on a directory in use", async () => {
    const dataDir = tempDir("emulator-data-");
    await open(dataDir);
    await expect(startEmulator({ port: 0, dataDir })).rejects.toThrow(
      /emulator-data-\S+ is already open in this process/,
    );
  });

  it("keeps every acknowledged write through a kill -9 under a stream of writes", async () => {
    const dataDir = tempDir("emulator-data-");
    const child = spawnEmulator(0, dataDir);
    const url = await bannerUrl(child);
    const port = Number(url.port);
    // No retries: a request cut by the kill must fail, not be acknowledged by a retry elsewhere.
    const stripe = new Stripe("sk_test_kill", {
      host: "127.0.0.1",
      port,
      protocol: "http",
      maxNetworkRetries: 0,
    });
    expect(url.hostname).toBe("127.0.0.1");
    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    let running = true;
    const writer = async () => {
      while (running) {
        try {
          acknowledged.push((await stripe.customers.create({ email: "stream@example.com" })).id);
        } catch (error) {
          failures.push(error); // after the kill: a request cut short, never acknowledged
          return;
        }
      }
    };
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const writers = Array.from({ length: 8 }, writer);
    while (acknowledged.length < 300 && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(failures).toEqual([]);
    child.kill("SIGKILL");
    running = false;
    await Promise.all(writers);
    await exited;

    const after = await open(dataDir);
    const stored = new Set<string>();
    for await (const customer of after.stripe.customers.list({ limit: 100 })) stored.add(customer.id);
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Each customer's event came with it, in the same request.
    expect(after.emulator.events().length).toBe(stored.size);
  });
});

function spawnEmulator(port: number, dataDir: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, "emulator", "--port", String(port), "--data", dataDir], {
    env: cleanEnv({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}
