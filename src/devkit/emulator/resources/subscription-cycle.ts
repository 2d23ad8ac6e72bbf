import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import { NO_REQUEST } from "../events.js";
import { defaultPaymentMethod, payInvoice } from "./invoice-objects.js";
import { endFinishedDiscounts } from "./subscription-discounts.js";
import { createSubscriptionInvoice, upcomingInvoice } from "./subscription-invoices.js";
import { addInterval, invoiceLinesFor } from "./subscription-items.js";
import { cancelSubscription } from "./subscriptions.js";

/**
 * `POST /_emulator/subscriptions/:id/renew`: the end of the current period, which on Stripe comes with time (or a
 * test clock). Ends a trial or renews: `customer.subscription.updated`, then the new invoice's events; a declined
 * payment makes the subscription `past_due`. With `cancel_at_period_end` it ends the subscription instead.
 */
export function subscriptionCycleRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "POST",
      pattern: "/_emulator/subscriptions/:id/renew",
      handler: ({ path }) =>
        renewSubscription(core, core.store.get<Stripe.Subscription>("subscription", path.id as string)),
    },
  ];
}

export function renewSubscription(core: EmulatorCore, subscription: Stripe.Subscription): Stripe.Subscription {
  const request = NO_REQUEST;
  if (subscription.status === "canceled" || subscription.status === "incomplete_expired") {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "subscription_canceled",
      `Subscription ${subscription.id} has ended.`,
    );
  }
  if (subscription.cancel_at_period_end) return cancelSubscription(core, subscription, request);
  const items = nextPeriodItems(subscription);
  const previous = core.store.update(subscription, {
    items: { ...subscription.items, data: items },
    status: subscription.status === "trialing" ? "active" : subscription.status,
  });
  core.events.emit("customer.subscription.updated", subscription, request, previous);
  endFinishedDiscounts(core, subscription, request);
  const lines = invoiceLinesFor(items);
  const invoice = createSubscriptionInvoice(core, subscription, lines, "subscription_cycle", request);
  subscription.latest_invoice = invoice.id;
  try {
    payInvoice(core, invoice, defaultPaymentMethod(core, invoice), request);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    const pastDue = core.store.update(subscription, { status: "past_due" });
    core.events.emit("customer.subscription.updated", subscription, request, pastDue);
  }
  return subscription;
}

/** The subscription's items as they will be in its next period. */
export function nextPeriodItems(subscription: Stripe.Subscription): Stripe.SubscriptionItem[] {
  return subscription.items.data.map((item) => {
    const start = item.current_period_end;
    const recurring = item.price.recurring;
    const end = recurring ? addInterval(start, recurring.interval, recurring.interval_count) : start;
    return { ...item, current_period_start: start, current_period_end: end };
  });
}

/**
 * `invoice.upcoming`, sent ahead of a renewal that will be charged automatically: the invoice it will create, not
 * stored, with an `upcoming_in_` id as Stripe's previews have.
 */
export function announceRenewal(core: EmulatorCore, subscription: Stripe.Subscription): void {
  const customer = core.store.get<Stripe.Customer>("customer", subscription.customer as string, "customer");
  const preview = upcomingInvoice(core, customer, subscription, invoiceLinesFor(nextPeriodItems(subscription)));
  core.events.emit("invoice.upcoming", preview, NO_REQUEST);
}
