// A year of monthly billing on a test clock: `subscriptions` monthly subscriptions on one clock, advanced twelve
// months (six advances of two months, Stripe's limit per advance), every event delivered signed to one endpoint.
// The emulator, the client and the endpoint share this process, so the figures are the emulator's work end to end.
import { createServer } from "node:http";
import { startEmulator } from "../../dist/devkit/emulator/index.js";
import { createStripeClient } from "../../dist/stripe-api.js";

const JANUARY_2024 = Date.UTC(2024, 0, 1) / 1000;
/** How many requests the client keeps in flight while it sets the subscriptions up. */
const SETUP_CONCURRENCY = 16;

/** Unix seconds of the first of `month` months after January 2024. */
const monthsAfterJanuary = (months) => Date.UTC(2024, months, 1) / 1000;

/** Counts what reaches it, answering 200 as a healthy endpoint does. */
async function startSink() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received += 1;
      res.end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function inLanes(count, lanes, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let index = next++; index < count; index = next++) await task(index);
    }),
  );
}

export async function testClockYear({ subscriptions = 1000 } = {}) {
  const emulator = await startEmulator({ port: 0 });
  const sink = await startSink();
  try {
    const stripe = createStripeClient({ apiKey: "sk_test_bench_clock", apiBase: emulator.url }, "bench");
    await stripe.webhookEndpoints.create({ url: sink.url, enabled_events: ["*"] });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JANUARY_2024 });
    const price = await stripe.prices.create({
      currency: "usd",
      unit_amount: 1500,
      recurring: { interval: "month" },
      product_data: { name: "Pro" },
    });
    const setupStarted = performance.now();
    await inLanes(subscriptions, SETUP_CONCURRENCY, async () => {
      const customer = await stripe.customers.create({
        test_clock: clock.id,
        payment_method: "pm_card_visa",
        invoice_settings: { default_payment_method: "pm_card_visa" },
      });
      await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await emulator.deliveriesSettled({ timeoutMs: 600_000 });

    const eventsBefore = emulator.events().length;
    const deliveredBefore = sink.received();
    const started = performance.now();
    const advances = [];
    for (let months = 2; months <= 12; months += 2) {
      const advanceStarted = performance.now();
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: monthsAfterJanuary(months) });
      advances.push(performance.now() - advanceStarted);
    }
    const emittedSeconds = (performance.now() - started) / 1000;
    await emulator.deliveriesSettled({ timeoutMs: 600_000 });
    const deliveredSeconds = (performance.now() - started) / 1000;
    const events = emulator.events().slice(eventsBefore);
    const delivered = sink.received() - deliveredBefore;
    const paid = events.filter((event) => event.type === "invoice.paid").length;
    const emitted = events.length;
    return { subscriptions, setupSeconds, emitted, emittedSeconds, delivered, deliveredSeconds, advances, paid };
  } finally {
    await emulator.close();
    await sink.close();
  }
}

export function describeTestClockYear(result) {
  const rate = (count, seconds) => Math.round(count / seconds).toLocaleString("en-US");
  const slowest = Math.round(Math.max(...result.advances));
  return [
    `test clock, ${result.subscriptions} monthly subscriptions advanced 12 months in 6 advances ` +
      `(set up in ${result.setupSeconds.toFixed(1)} s):`,
    `  emitted ${result.emitted} events in ${result.emittedSeconds.toFixed(2)} s, ${rate(result.emitted, result.emittedSeconds)} events/s ` +
      `(slowest advance ${slowest} ms); ${result.paid} renewals paid`,
    `  delivered ${result.delivered} signed in ${result.deliveredSeconds.toFixed(2)} s from the first advance, ` +
      `${rate(result.delivered, result.deliveredSeconds)} events/s`,
  ].join("\n");
}
