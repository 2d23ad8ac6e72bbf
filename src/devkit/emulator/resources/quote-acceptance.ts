import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import type { RequestInfo } from "../events.js";
import type { Params } from "../params.js";
import { stripeId } from "../store.js";
import { insertDraftInvoice } from "./invoice-objects.js";
import { createSubscription } from "./subscriptions.js";

/**
 * What an accepted quote becomes: a subscription for recurring lines (its first invoice is billed as any new
 * subscription's), a draft invoice for one-time ones. Returns the quote's `subscription` and `invoice`.
 */
export function fulfilQuote(
  core: EmulatorCore,
  quote: Stripe.Quote,
  lines: readonly Stripe.LineItem[],
  request: RequestInfo,
): Pick<Stripe.Quote, "subscription" | "invoice"> {
  const customer = core.store.get<Stripe.Customer>("customer", quote.customer as string, "customer");
  if (lines[0]?.price?.recurring) {
    const subscription = createSubscription(core, subscriptionParams(quote, lines), request);
    return { subscription: subscription.id, invoice: subscription.latest_invoice };
  }
  const id = stripeId("in");
  const invoice = insertDraftInvoice(core, customer, {
    id,
    currency: quote.currency ?? "usd",
    billingReason: "manual",
    collectionMethod: quote.collection_method,
    lines: lines.map((line) => invoiceLine(core, id, line)),
    description: quote.description,
    parent: { quote_details: { quote: quote.id }, subscription_details: null, type: "quote_details" },
  });
  core.events.emit("invoice.created", invoice, request);
  return { subscription: null, invoice: invoice.id };
}

function subscriptionParams(quote: Stripe.Quote, lines: readonly Stripe.LineItem[]): Params {
  const data = quote.subscription_data;
  return {
    customer: quote.customer as string,
    items: lines.map((line) => ({ price: line.price?.id as string, quantity: String(line.quantity ?? 1) })),
    collection_method: quote.collection_method,
    metadata: data.metadata ?? {},
    ...(data.description !== null && { description: data.description }),
    ...(data.trial_period_days !== null && { trial_period_days: String(data.trial_period_days) }),
    ...(quote.invoice_settings.days_until_due !== null && {
      days_until_due: String(quote.invoice_settings.days_until_due),
    }),
  };
}

function invoiceLine(core: EmulatorCore, invoiceId: string, line: Stripe.LineItem): Stripe.InvoiceLineItem {
  const price = line.price as Stripe.Price;
  const quantity = line.quantity ?? 1;
  const now = core.now();
  return {
    id: stripeId("il"),
    object: "line_item",
    amount: line.amount_total,
    currency: line.currency,
    description: `${quantity} × ${price.nickname ?? price.product}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: null,
    period: { end: now, start: now },
    pretax_credit_amounts: [],
    pricing: null,
    quantity,
    quantity_decimal: String(quantity) as unknown as Stripe.InvoiceLineItem["quantity_decimal"],
    subscription: null,
    subtotal: line.amount_subtotal,
    taxes: [],
  };
}
