import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import type { RequestInfo } from "../events.js";
import type { Params } from "../params.js";
import { requestedRedemptions } from "./discount-redemption.js";
import { customerInvoiceDiscounts, endFinishedCustomerDiscount, redeem } from "./discounts.js";
import { invoiceDiscounts } from "./invoice-objects.js";
import { requireStatus } from "./invoices.js";

/**
 * A new invoice's discounts: those `discounts` redeems, else the customer's own (Stripe: "If not specified, inherits
 * the discount from the invoice's customer. Pass an empty string to avoid inheriting any discounts.").
 */
export function newInvoiceDiscounts(
  core: EmulatorCore,
  params: Params,
  {
    customer,
    invoiceId,
    currency,
    amount,
  }: { customer: Stripe.Customer; invoiceId: string; currency: string; amount: number },
  request: RequestInfo,
): string[] {
  const context = { customer: customer.id, currency, amount, reusable: customer.discount ? [customer.discount] : [] };
  const redemptions = requestedRedemptions(core, params, "discounts", context);
  if (redemptions) return redeem(core, redemptions, { customer: customer.id, invoice: invoiceId }).map(({ id }) => id);
  endFinishedCustomerDiscount(core, customer.id, request);
  return customerInvoiceDiscounts(core, customer.id, currency, core.now());
}

/** A draft's `discounts` replaced (`''` removes them all); a discount already on it is named by `{discount}`. */
export function requestedInvoiceDiscounts(
  core: EmulatorCore,
  invoice: Stripe.Invoice,
  params: Params,
): string[] | undefined {
  if (params.discounts === undefined) return undefined;
  requireStatus(invoice, ["draft"], "change the discounts of");
  const customer = core.store.get<Stripe.Customer>("customer", invoice.customer as string, "customer");
  const redemptions = requestedRedemptions(core, params, "discounts", {
    customer: customer.id,
    currency: invoice.currency,
    amount: invoice.lines.data.reduce((sum, line) => sum + line.amount, 0),
    reusable: [...invoiceDiscounts(core, invoice), ...(customer.discount ? [customer.discount] : [])],
  });
  return redeem(core, redemptions ?? [], { customer: customer.id, invoice: invoice.id }).map(({ id }) => id);
}
