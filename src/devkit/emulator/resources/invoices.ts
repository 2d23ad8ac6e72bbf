import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { optionalString } from "../params.js";
import { stripeId } from "../store.js";
import { createPaymentIntent } from "./payment-intents.js";

/** `/v1/invoices`: the invoices subscriptions make; retrieve, list, their lines, and pay an open one. */
export function invoiceRoutes(
  core: EmulatorCore,
  onPaid: (invoice: Stripe.Invoice, request: RequestInfo) => void,
): Route[] {
  const get = (id: string) => core.store.get<Stripe.Invoice>("invoice", id, "invoice");
  return [
    { method: "GET", pattern: "/v1/invoices/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "GET",
      pattern: "/v1/invoices/:id/lines",
      handler: ({ path, params, url }) => paginate(get(path.id as string).lines.data, params, url),
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/pay",
      handler: ({ path, params, request }) => {
        const invoice = get(path.id as string);
        if (invoice.status !== "open") {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "invoice_not_open",
            `Invoice is already ${invoice.status}.`,
          );
        }
        const method = optionalString(params, "payment_method") ?? defaultPaymentMethod(core, invoice);
        if (!method) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "invoice_no_payment_method_types",
            "This invoice has no payment method to pay with: pass payment_method.",
            "payment_method",
          );
        }
        payInvoice(core, invoice, method, request);
        onPaid(invoice, request);
        return invoice;
      },
    },
    {
      method: "GET",
      pattern: "/v1/invoices",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const subscription = optionalString(params, "subscription");
        const status = optionalString(params, "status");
        const inRange = createdFilter(params);
        const invoices = core.store
          .query<Stripe.Invoice>("invoice")
          .filter((invoice) => (customer === undefined || invoice.customer === customer) && inRange(invoice.created))
          .filter(
            (invoice) =>
              subscription === undefined || invoice.parent?.subscription_details?.subscription === subscription,
          )
          .filter((invoice) => status === undefined || invoice.status === status);
        return paginate(invoices, params, url);
      },
    },
  ];
}

export interface InvoiceLine {
  price: Stripe.Price;
  quantity: number;
  periodStart: number;
  periodEnd: number;
}

/** Creates and finalizes a subscription's invoice: `invoice.created`, then `invoice.finalized`. */
export function createSubscriptionInvoice(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  lines: readonly InvoiceLine[],
  billingReason: Stripe.Invoice.BillingReason,
  request: RequestInfo,
): Stripe.Invoice {
  const customer = core.store.get<Stripe.Customer>("customer", subscription.customer as string, "customer");
  const id = stripeId("in");
  const amount = lines.reduce((sum, line) => sum + (line.price.unit_amount ?? 0) * line.quantity, 0);
  const now = core.now();
  const invoice = core.store.insert<Stripe.Invoice>({
    id,
    object: "invoice",
    account_country: "US",
    account_name: "stripe-inbox emulator",
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: amount,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: billingReason,
    collection_method: subscription.collection_method,
    created: now,
    currency: subscription.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: "list",
      data: lines.map((line) => invoiceLine(id, subscription.id, line)),
      has_more: false,
      url: `/v1/invoices/${id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      type: "subscription_details",
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: now,
    period_start: now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: null,
    total: amount,
    total_discount_amounts: [],
    total_excluding_tax: amount,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  });
  core.events.emit("invoice.created", invoice, request);
  const sequence = customer.next_invoice_sequence ?? 1;
  core.store.update(customer, { next_invoice_sequence: sequence + 1 });
  const previous = core.store.update(invoice, {
    status: "open",
    number: `${customer.invoice_prefix}-${String(sequence).padStart(4, "0")}`,
    effective_at: now,
    status_transitions: { ...invoice.status_transitions, finalized_at: now },
  });
  core.events.emit("invoice.finalized", invoice, request, previous);
  return invoice;
}

/**
 * Pays an open invoice: a zero total is paid outright; otherwise a payment intent is created and confirmed
 * with `method`. A decline leaves the invoice open and rethrows the 402, as Stripe's pay does.
 */
export function payInvoice(
  core: EmulatorCore,
  invoice: Stripe.Invoice,
  method: string | null,
  request: RequestInfo,
): boolean {
  if (invoice.amount_due > 0) {
    if (method === null) return false;
    core.store.update(invoice, { attempted: true, attempt_count: invoice.attempt_count + 1 });
    const intentParams = {
      amount: String(invoice.amount_due),
      currency: invoice.currency,
      customer: invoice.customer as string,
      payment_method: method,
      description: `Subscription ${invoice.number ?? invoice.id}`,
      confirm: "true",
    };
    try {
      createPaymentIntent(core, intentParams, request);
    } catch (error) {
      core.events.emit("invoice.payment_failed", invoice, request);
      throw error;
    }
  }
  const now = core.now();
  const previous = core.store.update(invoice, {
    status: "paid",
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    attempted: true,
    status_transitions: { ...invoice.status_transitions, paid_at: now },
  });
  core.events.emit("invoice.paid", invoice, request, previous);
  core.events.emit("invoice.payment_succeeded", invoice, request, previous);
  return true;
}

/** What an invoice is charged with: its subscription's default method, else the customer's invoice default. */
export function defaultPaymentMethod(core: EmulatorCore, invoice: Stripe.Invoice): string | null {
  const subscriptionId = invoice.parent?.subscription_details?.subscription;
  if (typeof subscriptionId === "string") {
    const subscription = core.store.get<Stripe.Subscription>("subscription", subscriptionId);
    if (typeof subscription.default_payment_method === "string") return subscription.default_payment_method;
  }
  const customer = core.store.find(invoice.customer as string) as Stripe.Customer | undefined;
  const method = customer?.invoice_settings.default_payment_method;
  return typeof method === "string" ? method : null;
}

function invoiceLine(invoiceId: string, subscriptionId: string, line: InvoiceLine): Stripe.InvoiceLineItem {
  const amount = (line.price.unit_amount ?? 0) * line.quantity;
  return {
    id: stripeId("il"),
    object: "line_item",
    amount,
    currency: line.price.currency,
    description: `${line.quantity} × ${line.price.nickname ?? line.price.product} (at ${line.price.unit_amount} / ${line.price.recurring?.interval ?? "once"})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: null,
    period: { end: line.periodEnd, start: line.periodStart },
    pretax_credit_amounts: [],
    pricing: null,
    quantity: line.quantity,
    quantity_decimal: String(line.quantity) as unknown as Stripe.InvoiceLineItem["quantity_decimal"],
    subscription: subscriptionId,
    subtotal: amount,
    taxes: [],
  };
}
