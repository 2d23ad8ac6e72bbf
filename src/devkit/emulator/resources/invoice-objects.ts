import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { stripeId } from "../store.js";
import { discountInvoice } from "./discount-amounts.js";
import { nextPaymentAttempt } from "./dunning.js";
import { chargeInvoice, markInvoicePaymentPaid } from "./invoice-payments.js";

/** What an invoice is made with besides its customer; the rest is Stripe's defaults for a new draft. */
export interface NewInvoice {
  id?: string;
  currency: string;
  billingReason: Stripe.Invoice.BillingReason;
  collectionMethod: Stripe.Invoice.CollectionMethod;
  lines: Stripe.InvoiceLineItem[];
  description?: string | null;
  dueDate?: number | null;
  metadata?: Stripe.Metadata;
  parent?: Stripe.Invoice.Parent | null;
  defaultPaymentMethod?: string | null;
  /** The ids of the discounts on the invoice itself; its lines carry their own. */
  discounts?: readonly string[];
}

/** A draft invoice, stored; its totals are its lines' sum. Emits nothing: callers say `invoice.created`. */
export function insertDraftInvoice(core: EmulatorCore, customer: Stripe.Customer, fields: NewInvoice): Stripe.Invoice {
  return core.store.insert(draftInvoice(core, customer, fields));
}

/** A draft invoice as Stripe makes one, not stored: what an invoice preview shows. */
export function draftInvoice(core: EmulatorCore, customer: Stripe.Customer, fields: NewInvoice): Stripe.Invoice {
  const id = fields.id ?? stripeId("in");
  const now = core.now();
  const invoice: Stripe.Invoice = {
    id,
    object: "invoice",
    account_country: "US",
    account_name: "stripe-inbox emulator",
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    // A draft that nobody finalizes is finalized by Stripe an hour after creation (auto_advance).
    automatically_finalizes_at: fields.parent ? null : now + 3600,
    billing_reason: fields.billingReason,
    collection_method: fields.collectionMethod,
    created: now,
    currency: fields.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    default_payment_method: fields.defaultPaymentMethod ?? null,
    default_source: null,
    default_tax_rates: [],
    description: fields.description ?? null,
    discounts: [],
    due_date: fields.dueDate ?? null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: fields.lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: fields.metadata ?? {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: fields.parent ?? null,
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
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: customer.test_clock ?? null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  Object.assign(invoice, invoiceTotals(core, invoice, invoice.lines.data, fields.discounts ?? []));
  return invoice;
}

/** A draft's amounts follow its lines and its discounts: the lines as given, with their discount amounts. */
export function invoiceTotals(
  core: EmulatorCore,
  invoice: Stripe.Invoice,
  lines: readonly Stripe.InvoiceLineItem[] = invoice.lines.data,
  discounts: readonly string[] = invoiceDiscountIds(invoice),
): Partial<Stripe.Invoice> {
  const discounted = discountInvoice(core, lines, discounts, invoice.currency);
  return { lines: { ...invoice.lines, data: discounted.lines }, ...discounted.totals };
}

export function invoiceDiscountIds(invoice: Stripe.Invoice): string[] {
  return invoice.discounts.map((discount) => (typeof discount === "string" ? discount : discount.id));
}

/** The discounts on the invoice itself, as stored. */
export function invoiceDiscounts(core: EmulatorCore, invoice: Stripe.Invoice): Stripe.Discount[] {
  return invoiceDiscountIds(invoice).map((id) => core.store.find(id) as Stripe.Discount);
}

/**
 * Finalizes a draft: it takes the customer's next number and becomes `open` (`invoice.finalized`); one with nothing
 * to pay is `paid` at once, as Stripe marks a zero-total invoice paid on finalization.
 */
export function finalizeInvoice(core: EmulatorCore, invoice: Stripe.Invoice, request: RequestInfo): Stripe.Invoice {
  const customer = core.store.get<Stripe.Customer>("customer", invoice.customer as string, "customer");
  const sequence = customer.next_invoice_sequence ?? 1;
  core.store.update(customer, { next_invoice_sequence: sequence + 1 });
  const now = core.now();
  const previous = core.store.update(invoice, {
    status: "open",
    number: `${customer.invoice_prefix}-${String(sequence).padStart(4, "0")}`,
    effective_at: now,
    automatically_finalizes_at: null,
    status_transitions: { ...invoice.status_transitions, finalized_at: now },
  });
  core.events.emit("invoice.finalized", invoice, request, previous);
  if (invoice.amount_due === 0 && invoice.parent?.type !== "subscription_details") markPaid(core, invoice, request);
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
    const description = `${invoice.parent?.type === "subscription_details" ? "Subscription" : "Invoice"} ${invoice.number ?? invoice.id}`;
    let intent: Stripe.PaymentIntent;
    try {
      intent = chargeInvoice(core, invoice, method, description, request);
    } catch (error) {
      core.store.update(invoice, { next_payment_attempt: nextPaymentAttempt(core, invoice) });
      core.events.emit("invoice.payment_failed", invoice, request);
      throw error;
    }
    if (intent.status === "requires_action") {
      // The customer must authenticate: the invoice stays open, and Stripe says so to the caller and by event.
      core.events.emit("invoice.payment_action_required", invoice, request);
      throw new StripeApiError(
        402,
        "card_error",
        "invoice_payment_intent_requires_action",
        "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.",
        undefined,
        { payment_intent: intent },
      );
    }
  }
  markPaid(core, invoice, request);
  return true;
}

function markPaid(core: EmulatorCore, invoice: Stripe.Invoice, request: RequestInfo): void {
  markInvoicePaymentPaid(core, invoice, request);
  const previous = core.store.update(invoice, {
    status: "paid",
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    attempted: true,
    next_payment_attempt: null,
    status_transitions: { ...invoice.status_transitions, paid_at: core.now() },
  });
  core.events.emit("invoice.paid", invoice, request, previous);
  core.events.emit("invoice.payment_succeeded", invoice, request, previous);
}

/**
 * What an invoice is charged with: its own default, its subscription's, else the customer's invoice default, else
 * the customer's default source (Stripe's order: payment methods before the legacy source).
 */
export function defaultPaymentMethod(core: EmulatorCore, invoice: Stripe.Invoice): string | null {
  if (typeof invoice.default_payment_method === "string") return invoice.default_payment_method;
  const subscriptionId = invoice.parent?.subscription_details?.subscription;
  if (typeof subscriptionId === "string") {
    const subscription = core.store.get<Stripe.Subscription>("subscription", subscriptionId);
    if (typeof subscription.default_payment_method === "string") return subscription.default_payment_method;
  }
  const customer = core.store.find(invoice.customer as string) as Stripe.Customer | undefined;
  const method = customer?.invoice_settings.default_payment_method;
  if (typeof method === "string") return method;
  return typeof customer?.default_source === "string" ? customer.default_source : null;
}

/** The line an invoice item becomes on the invoice that takes it. */
export function invoiceItemLine(invoiceId: string, item: Stripe.InvoiceItem): Stripe.InvoiceLineItem {
  return {
    id: stripeId("il"),
    object: "line_item",
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [...(item.discounts ?? [])],
    invoice: invoiceId,
    livemode: false,
    metadata: item.metadata ?? {},
    parent: {
      type: "invoice_item_details",
      invoice_item_details: {
        invoice_item: item.id,
        proration: item.proration,
        proration_details: { credited_items: null },
        subscription: null,
      },
      subscription_item_details: null,
    },
    period: item.period,
    pretax_credit_amounts: [],
    pricing: item.pricing as unknown as Stripe.InvoiceLineItem["pricing"],
    quantity: item.quantity,
    quantity_decimal: item.quantity_decimal as unknown as Stripe.InvoiceLineItem["quantity_decimal"],
    subscription: null,
    subtotal: item.amount,
    taxes: [],
  };
}
