import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import { optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import { unsupportedParam } from "../unsupported-params.js";
import { customerInvoiceDiscounts } from "./discounts.js";
import { draftInvoice, invoiceItemLine } from "./invoice-objects.js";
import { nextPeriodItems } from "./subscription-cycle.js";
import { upcomingInvoice } from "./subscription-invoices.js";
import { invoiceLinesFor } from "./subscription-items.js";

/** What a preview reads; the rest of Stripe's preview parameters describe changes the emulator does not simulate. */
const PREVIEWED = new Set(["customer", "subscription", "expand"]);

/**
 * `POST /v1/invoices/create_preview`: the invoice Stripe would create next, not stored. For a `subscription`, its
 * next renewal; for a `customer` alone, a one-off invoice of their pending invoice items.
 */
export function invoicePreviewRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/invoices/create_preview",
      handler: ({ params }) => previewInvoice(core, params),
    },
  ];
}

function previewInvoice(core: EmulatorCore, params: Params): Stripe.Invoice {
  const unsupported = Object.keys(params).find((name) => !PREVIEWED.has(name));
  if (unsupported !== undefined) {
    throw unsupportedParam(
      unsupported,
      "it previews a subscription's next renewal or a customer's pending invoice items as they are.",
    );
  }
  const subscriptionId = optionalString(params, "subscription");
  const customerId = optionalString(params, "customer");
  if (subscriptionId !== undefined) {
    const subscription = core.store.get<Stripe.Subscription>("subscription", subscriptionId, "subscription");
    const customer = core.store.get<Stripe.Customer>("customer", subscription.customer as string, "customer");
    if (customerId !== undefined && customerId !== customer.id) {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        "",
        `The subscription ${subscription.id} does not belong to the customer ${customerId}.`,
        "subscription",
      );
    }
    return upcomingInvoice(core, customer, subscription, invoiceLinesFor(nextPeriodItems(subscription)));
  }
  if (customerId === undefined) {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "",
      "Must provide at least one of `customer`, `customer_account` or `subscription`.",
    );
  }
  const customer = core.store.get<Stripe.Customer>("customer", customerId, "customer");
  const pending = core.store
    .all<Stripe.InvoiceItem>("invoiceitem")
    .filter((item) => item.customer === customer.id && item.invoice === null)
    .reverse();
  if (pending.length === 0) {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "invoice_no_customer_line_items",
      `Nothing to invoice for customer ${customer.id}.`,
      "customer",
    );
  }
  const id = `upcoming_${stripeId("in")}`;
  const currency = pending[0]?.currency ?? customer.currency ?? "usd";
  return draftInvoice(core, customer, {
    id,
    currency,
    discounts: customerInvoiceDiscounts(core, customer.id, currency, core.now()),
    billingReason: "manual",
    collectionMethod: "charge_automatically",
    lines: pending.map((item) => invoiceItemLine(id, item)),
  });
}
