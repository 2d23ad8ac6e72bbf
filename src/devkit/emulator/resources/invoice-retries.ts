import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { StripeApiError } from "../errors.js";
import { NO_REQUEST } from "../events.js";
import { defaultPaymentMethod, payInvoice } from "./invoice-objects.js";
import { abortSchedule } from "./subscription-schedules.js";
import { cancelSubscription } from "./subscriptions.js";
import type { DueWork } from "./test-clock-advance.js";

/** The retry of a subscription's open renewal invoice, due at its `next_payment_attempt`. */
export function invoiceRetryDueWork(core: EmulatorCore, subscription: Stripe.Subscription): DueWork[] {
  if (typeof subscription.latest_invoice !== "string") return [];
  const invoice = core.store.find(subscription.latest_invoice) as Stripe.Invoice | undefined;
  if (invoice?.object !== "invoice" || invoice.status !== "open" || invoice.next_payment_attempt === null) return [];
  return [
    {
      at: invoice.next_payment_attempt,
      rank: 2,
      key: `${invoice.id} attempt ${invoice.attempt_count + 1}`,
      run: () => retryInvoice(core, subscription, invoice),
    },
  ];
}

/**
 * Charges the invoice again with what it would be charged with now (a card the customer changed since counts). Paid:
 * the subscription is `active` again. Failed for the last time: the subscription is canceled for `payment_failed`,
 * and the schedule managing it, if any, aborted.
 */
function retryInvoice(core: EmulatorCore, subscription: Stripe.Subscription, invoice: Stripe.Invoice): void {
  try {
    payInvoice(core, invoice, defaultPaymentMethod(core, invoice), NO_REQUEST);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    if (invoice.next_payment_attempt === null) {
      cancelSubscription(core, subscription, NO_REQUEST, "payment_failed");
      abortSchedule(core, subscription);
    }
    return;
  }
  if (subscription.status === "past_due") {
    const previous = core.store.update(subscription, { status: "active" });
    core.events.emit("customer.subscription.updated", subscription, NO_REQUEST, previous);
  }
}
