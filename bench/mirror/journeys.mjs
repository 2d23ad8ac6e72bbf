// Event sequences as a subscription sign-up produces them, around Stripe objects shaped like the API's (the
// `stripe` package's Customer, Subscription, Invoice, PaymentIntent, Charge, Product, Price): about 10 events
// about 5 objects per customer, several in the same second, as Stripe sends them.
import { randomUUID } from "node:crypto";
import { address, KINDS, stripeId } from "../receive/stripe-objects.mjs";

const API_VERSION = "2025-10-29.clover";
const make = (type) => KINDS.find((kind) => kind.type === type).object();

function customer(created) {
  return {
    id: stripeId("cus", 14),
    object: "customer",
    address: address(),
    balance: 0,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: `${stripeId("", 8).slice(1).toLowerCase()}@example.com`,
    invoice_prefix: stripeId("", 8).slice(1).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: { user_id: String(Math.floor(Math.random() * 1e6)) },
    name: "Jenny Rosen",
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: ["en"],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
}

function product(created) {
  return {
    id: stripeId("prod", 14),
    object: "product",
    active: true,
    created,
    default_price: null,
    description: "Unlimited projects, priority support",
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name: "Pro plan",
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    unit_label: null,
    updated: created,
    url: null,
  };
}

function price(productId, created) {
  return {
    id: stripeId("price", 24),
    object: "price",
    active: true,
    billing_scheme: "per_unit",
    created,
    currency: "usd",
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: productId,
    recurring: { interval: "month", interval_count: 1, meter: null, usage_type: "licensed" },
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: "recurring",
    unit_amount: 2000,
    unit_amount_decimal: "2000",
  };
}

const event = (type, object, created) => ({
  id: `evt_${stripeId("", 24).slice(1)}`,
  object: "event",
  api_version: API_VERSION,
  created,
  data: { object },
  livemode: false,
  pending_webhooks: 1,
  request: { id: stripeId("req", 14), idempotency_key: randomUUID() },
  type,
});

/** A catalogue (product.created, price.created) and one sign-up: pretty-printed bodies, in Stripe's order. */
export function catalogue(created) {
  const gold = product(created);
  return [event("product.created", gold, created), event("price.created", price(gold.id, created), created)];
}

export function signUp(created) {
  const buyer = customer(created);
  const subscription = { ...make("customer.subscription.updated"), customer: buyer.id, status: "incomplete" };
  const invoice = { ...make("invoice.paid"), customer: buyer.id, status: "draft" };
  const intent = { ...make("payment_intent.succeeded"), customer: buyer.id, status: "requires_payment_method" };
  const charge = { ...make("charge.succeeded"), customer: buyer.id, payment_intent: intent.id };
  const paymentMethod = charge.payment_method;
  return [
    event("customer.created", buyer, created),
    event(
      "customer.updated",
      { ...buyer, invoice_settings: { ...buyer.invoice_settings, default_payment_method: paymentMethod } },
      created,
    ),
    event("customer.subscription.created", subscription, created),
    event("invoice.created", invoice, created),
    event("invoice.finalized", { ...invoice, status: "open" }, created),
    event("payment_intent.created", intent, created),
    event("payment_intent.succeeded", { ...intent, status: "succeeded" }, created + 1),
    event("charge.succeeded", charge, created + 1),
    event("invoice.paid", { ...invoice, status: "paid", amount_paid: invoice.amount_due }, created + 1),
    event("customer.subscription.updated", { ...subscription, status: "active" }, created + 1),
  ];
}

/**
 * `count` events: sign-ups, with a product and price every 50 customers, `concurrent` sign-ups at a time
 * interleaved as they would arrive (at 3,000 events/s, about 300 sign-ups start every second). With 1, each
 * sign-up's events are adjacent: the worst case, where runs about the same object wait for each other's commit.
 */
export function journeys(count, concurrent = 200) {
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const batches = [];
  for (let n = 0, total = 0; total < count; n++) {
    const created = start + n;
    const batch = [...(n % 50 === 0 ? catalogue(created) : []), ...signUp(created)];
    batches.push(batch);
    total += batch.length;
  }
  const events = [];
  for (let first = 0; first < batches.length; first += concurrent) {
    const window = batches.slice(first, first + concurrent);
    for (let step = 0; window.some((batch) => step < batch.length); step++)
      for (const batch of window) if (step < batch.length) events.push(batch[step]);
  }
  return events.slice(0, count).map((e) => JSON.stringify(e, null, 2));
}
