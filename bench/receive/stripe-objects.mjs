// Stripe objects shaped like the API's (field names and nesting from the API reference), for benchmark events.
import { randomBytes } from "node:crypto";

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export function stripeId(prefix, length = 24) {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += alnum[byte % alnum.length];
  return `${prefix}_${id}`;
}

export const created = () => Math.floor(Date.now() / 1000) - Math.floor(Math.random() * 3600);

function card() {
  return {
    brand: "visa",
    checks: { address_line1_check: null, address_postal_code_check: "pass", cvc_check: "pass" },
    country: "US",
    exp_month: 12,
    exp_year: 2030,
    fingerprint: stripeId("", 16).slice(1),
    funding: "credit",
    last4: "4242",
    network: "visa",
    three_d_secure: null,
    wallet: null,
  };
}

export function address() {
  return {
    city: "San Francisco",
    country: "US",
    line1: "510 Townsend St",
    line2: null,
    postal_code: "94103",
    state: "CA",
  };
}

function billingDetails() {
  return {
    address: address(),
    email: "jenny.rosen@example.com",
    name: "Jenny Rosen",
    phone: null,
  };
}

function paymentIntent() {
  const amount = 500 + Math.floor(Math.random() * 50_000);
  return {
    id: stripeId("pi"),
    object: "payment_intent",
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: amount,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: "always", enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic_async",
    client_secret: `${stripeId("pi")}_secret_${stripeId("", 25).slice(1)}`,
    confirmation_method: "automatic",
    created: created(),
    currency: "usd",
    customer: stripeId("cus", 14),
    description: "Order from the web shop",
    last_payment_error: null,
    latest_charge: stripeId("ch"),
    livemode: false,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: stripeId("pm"),
    payment_method_configuration_details: { id: stripeId("pmc"), parent: null },
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
    },
    payment_method_types: ["card", "link"],
    processing: null,
    receipt_email: "jenny.rosen@example.com",
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: "succeeded",
    transfer_data: null,
    transfer_group: null,
  };
}

function charge() {
  const amount = 500 + Math.floor(Math.random() * 50_000);
  return {
    id: stripeId("ch"),
    object: "charge",
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: stripeId("txn"),
    billing_details: billingDetails(),
    calculated_statement_descriptor: "WEBSHOP",
    captured: true,
    created: created(),
    currency: "usd",
    customer: stripeId("cus", 14),
    description: "Order from the web shop",
    disputed: false,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: "approved_by_network",
      reason: null,
      risk_level: "normal",
      risk_score: Math.floor(Math.random() * 60),
      seller_message: "Payment complete.",
      type: "authorized",
    },
    paid: true,
    payment_intent: stripeId("pi"),
    payment_method: stripeId("pm"),
    payment_method_details: { card: card(), type: "card" },
    receipt_email: "jenny.rosen@example.com",
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${stripeId("", 60).slice(1)}`,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    status: "succeeded",
    transfer_group: null,
  };
}

export function invoiceLine(customer) {
  const amount = 100 + Math.floor(Math.random() * 10_000);
  return {
    id: stripeId("il"),
    object: "line_item",
    amount,
    currency: "usd",
    description: "1 × Pro plan (at $49.00 / month)",
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    parent: {
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        subscription: stripeId("sub"),
        subscription_item: stripeId("si", 14),
      },
      type: "subscription_item_details",
    },
    period: { end: created() + 2_592_000, start: created() },
    pricing: {
      price_details: { price: stripeId("price"), product: stripeId("prod", 14) },
      type: "price_details",
      unit_amount_decimal: String(amount),
    },
    quantity: 1,
    taxes: [],
    customer,
  };
}

function invoice() {
  const customer = stripeId("cus", 14);
  return {
    id: stripeId("in"),
    object: "invoice",
    account_country: "US",
    account_name: "Web Shop, Inc.",
    amount_due: 4900,
    amount_paid: 4900,
    amount_remaining: 0,
    attempt_count: 1,
    attempted: true,
    auto_advance: false,
    billing_reason: "subscription_cycle",
    collection_method: "charge_automatically",
    created: created(),
    currency: "usd",
    customer,
    customer_email: "jenny.rosen@example.com",
    customer_name: "Jenny Rosen",
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_${stripeId("", 40).slice(1)}`,
    invoice_pdf: `https://pay.stripe.com/invoice/acct_1Nv0FGQ9RKHgCVdK/test_${stripeId("", 40).slice(1)}/pdf`,
    lines: {
      object: "list",
      data: [invoiceLine(customer)],
      has_more: false,
      total_count: 1,
      url: "/v1/invoices/lines",
    },
    livemode: false,
    metadata: {},
    number: `WEB-${Math.floor(Math.random() * 1e6)}`,
    paid: true,
    period_end: created(),
    period_start: created() - 2_592_000,
    status: "paid",
    status_transitions: { finalized_at: created(), marked_uncollectible_at: null, paid_at: created(), voided_at: null },
    subtotal: 4900,
    total: 4900,
  };
}

function subscription() {
  return {
    id: stripeId("sub"),
    object: "subscription",
    application: null,
    billing_cycle_anchor: created(),
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    collection_method: "charge_automatically",
    created: created(),
    currency: "usd",
    customer: stripeId("cus", 14),
    default_payment_method: stripeId("pm"),
    items: {
      object: "list",
      data: [
        {
          id: stripeId("si", 14),
          object: "subscription_item",
          created: created(),
          current_period_end: created() + 2_592_000,
          current_period_start: created(),
          metadata: {},
          price: {
            id: stripeId("price"),
            object: "price",
            active: true,
            billing_scheme: "per_unit",
            currency: "usd",
            product: stripeId("prod", 14),
            recurring: { interval: "month", interval_count: 1, usage_type: "licensed" },
            type: "recurring",
            unit_amount: 4900,
          },
          quantity: 1,
        },
      ],
      has_more: false,
      total_count: 1,
    },
    latest_invoice: stripeId("in"),
    livemode: false,
    metadata: {},
    status: "active",
  };
}

export const KINDS = [
  { type: "payment_intent.succeeded", object: paymentIntent },
  { type: "charge.succeeded", object: charge },
  { type: "invoice.paid", object: invoice },
  { type: "customer.subscription.updated", object: subscription },
];
