import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { mirrorEvent } from "./support.js";
import { type MirrorWorkers, startMirrorWorkers } from "./workers-support.js";

const T = 1_760_000_000;

/** What one subscription checkout sends: the customer, its subscription, invoice, payment, all in one second. */
function checkoutEvents(n: number): {
  bodies: string[];
  ids: { customer: string; subscription: string; invoice: string };
} {
  const tag = `${n}_${randomBytes(4).toString("hex")}`;
  const ids = { customer: `cus_${tag}`, subscription: `sub_${tag}`, invoice: `in_${tag}` };
  const items = {
    object: "list",
    has_more: false,
    data: [{ id: `si_${tag}`, object: "subscription_item", quantity: 1 }],
  };
  const lines = { object: "list", has_more: false, data: [{ id: `il_${tag}`, object: "line_item", amount: 2000 }] };
  const customer = { id: ids.customer, object: "customer", email: `c${n}@example.com` };
  const subscription = { id: ids.subscription, object: "subscription", customer: ids.customer, items };
  const invoice = { id: ids.invoice, object: "invoice", customer: ids.customer, subscription: ids.subscription, lines };
  const intent = { id: `pi_${tag}`, object: "payment_intent", customer: ids.customer, amount: 2000, currency: "usd" };
  const events = [
    mirrorEvent({ type: "customer.created", object: customer, created: T }),
    mirrorEvent({ type: "customer.updated", object: { ...customer, invoice_settings: {} }, created: T }),
    mirrorEvent({
      type: "customer.subscription.created",
      object: { ...subscription, status: "incomplete" },
      created: T,
    }),
    mirrorEvent({
      type: "customer.subscription.updated",
      object: { ...subscription, status: "active" },
      created: T + 1,
    }),
    mirrorEvent({ type: "invoice.created", object: { ...invoice, status: "draft" }, created: T }),
    mirrorEvent({ type: "invoice.finalized", object: { ...invoice, status: "open" }, created: T }),
    mirrorEvent({ type: "invoice.paid", object: { ...invoice, status: "paid" }, created: T + 1 }),
    mirrorEvent({ type: "payment_intent.succeeded", object: { ...intent, status: "succeeded" }, created: T }),
    mirrorEvent({
      type: "charge.succeeded",
      object: { id: `ch_${tag}`, object: "charge", payment_intent: intent.id, customer: ids.customer, amount: 2000 },
      created: T,
    }),
    // An object type no migration anticipated: its table is created by whichever run sees it first.
    mirrorEvent({
      type: "climate.order.created",
      object: { id: `climorder_${tag}`, object: "climate.order" },
      created: T,
    }),
  ];
  return { bodies: events.map((event) => JSON.stringify(event, null, 2)), ids };
}

describe("related events arriving together under several workers on postgres", () => {
  let workers: MirrorWorkers;
  afterEach(() => workers.stop());

  it("applies every event once, with no deadlock or other failure surfacing", async () => {
    workers = await startMirrorWorkers("postgres", 4, 8);
    const checkouts = Array.from({ length: 60 }, (_, n) => checkoutEvents(n));
    const bodies = checkouts.flatMap((checkout) => checkout.bodies);
    const eventIds = bodies.map((body) => (JSON.parse(body) as { id: string }).id);
    await workers.deliverAll(bodies, 48);
    const attempts = await workers.settled(eventIds);
    expect(attempts.filter((n) => n !== 1)).toEqual([]);

    const count = async (table: string) =>
      Number((await workers.query<{ n: string }>(`SELECT count(*) AS n FROM $mirror.${table}`))[0]?.n);
    expect(await count("customers")).toBe(60);
    expect(await count("subscription_items")).toBe(60);
    expect(await count("invoice_line_items")).toBe(60);
    expect(await count("climate_orders")).toBe(60);
    const states = await workers.query<{ subscription: string; invoice: string }>(
      `SELECT s.status AS subscription, i.status AS invoice
       FROM $mirror.subscriptions s JOIN $mirror.invoices i ON i.subscription = s.id AND i.customer = s.customer`,
    );
    expect(states).toHaveLength(60);
    expect(new Set(states.map((row) => `${row.subscription}/${row.invoice}`))).toEqual(new Set(["active/paid"]));
  }, 120_000);
});
