import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import type { RequestInfo } from "../events.js";
import { stripeId } from "../store.js";
import { draftInvoice, finalizeInvoice, insertDraftInvoice, type NewInvoice } from "./invoice-objects.js";
import { subscriptionInvoiceDiscounts } from "./subscription-discounts.js";

export interface InvoiceLine {
  price: Stripe.Price;
  quantity: number;
  periodStart: number;
  periodEnd: number;
}

/** The invoice a subscription's next renewal will create, as a preview shows it: not stored. */
export function upcomingInvoice(
  core: EmulatorCore,
  customer: Stripe.Customer,
  subscription: Stripe.Subscription,
  lines: readonly InvoiceLine[],
): Stripe.Invoice {
  const id = `upcoming_${stripeId("in")}`;
  // The discounts as they will be when the renewal comes, at the start of the period it bills.
  const at = lines[0]?.periodStart ?? core.now();
  return draftInvoice(core, customer, subscriptionInvoiceFields(core, id, subscription, lines, "upcoming", at));
}

/** What the lines come to before discounts: what a promotion code's `minimum_amount` is checked against. */
export function linesAmount(lines: readonly InvoiceLine[]): number {
  return lines.reduce((sum, line) => sum + (line.price.unit_amount ?? 0) * line.quantity, 0);
}

function subscriptionInvoiceFields(
  core: EmulatorCore,
  id: string,
  subscription: Stripe.Subscription,
  lines: readonly InvoiceLine[],
  billingReason: Stripe.Invoice.BillingReason,
  at: number,
): NewInvoice {
  return {
    discounts: subscriptionInvoiceDiscounts(core, subscription, at),
    id,
    currency: subscription.currency,
    billingReason,
    collectionMethod: subscription.collection_method,
    lines: lines.map((line) => subscriptionLine(id, subscription.id, line)),
    parent: {
      quote_details: null,
      subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      type: "subscription_details",
    },
  };
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
  const invoice = insertDraftInvoice(
    core,
    customer,
    subscriptionInvoiceFields(core, stripeId("in"), subscription, lines, billingReason, core.now()),
  );
  core.events.emit("invoice.created", invoice, request);
  return finalizeInvoice(core, invoice, request);
}

function subscriptionLine(invoiceId: string, subscriptionId: string, line: InvoiceLine): Stripe.InvoiceLineItem {
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
