import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import type { Params } from "../params.js";
import { requestedDiscounts } from "./discount-redemption.js";
import {
  customerInvoiceDiscounts,
  deletedDiscount,
  endFinishedCustomerDiscount,
  inEffect,
  noDiscount,
  redeem,
} from "./discounts.js";
import { linesAmount } from "./subscription-invoices.js";
import { invoiceLinesFor } from "./subscription-items.js";

/** `DELETE /v1/subscriptions/:id/discount`: the subscription's own discounts removed. */
export function subscriptionDiscountRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "DELETE",
      pattern: "/v1/subscriptions/:id/discount",
      handler: ({ path, request }) => {
        const subscription = core.store.get<Stripe.Subscription>("subscription", path.id as string, "subscription");
        const [first] = subscriptionDiscounts(core, subscription);
        if (!first) throw noDiscount("subscription", subscription.id);
        replaceSubscriptionDiscounts(core, subscription, [], request);
        return deletedDiscount(first);
      },
    },
  ];
}

/**
 * The discounts an update asks for: a populated `discounts` replaces the subscription's, `''` clears them (an empty
 * list leaves them), and a coupon or code already redeemed is named by `{discount}`. Undefined: unchanged.
 */
export function requestedSubscriptionDiscounts(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  params: Params,
  legacy: Params,
  items: readonly Stripe.SubscriptionItem[] = subscription.items.data,
): Stripe.Discount[] | undefined {
  const customer = core.store.get<Stripe.Customer>("customer", subscription.customer as string, "customer");
  const redemptions = requestedDiscounts(core, params, legacy, {
    customer: customer.id,
    currency: subscription.currency,
    amount: linesAmount(invoiceLinesFor(items)),
    reusable: [...subscriptionDiscounts(core, subscription), ...(customer.discount ? [customer.discount] : [])],
  });
  return redemptions && redeem(core, redemptions, { customer: customer.id, subscription: subscription.id });
}

/**
 * Puts `discounts` on the subscription in place of those it had: `customer.discount.deleted` for each dropped,
 * `customer.discount.created` for each new, then `customer.subscription.updated` with the previous `discounts`.
 */
export function replaceSubscriptionDiscounts(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  discounts: readonly Stripe.Discount[],
  request: RequestInfo,
): void {
  const previous = core.store.update(subscription, {
    discounts: announceDiscountChanges(core, subscription, discounts, request),
  });
  if (Object.keys(previous).length > 0) {
    core.events.emit("customer.subscription.updated", subscription, request, previous);
  }
}

/**
 * The events of a subscription's discounts changing to `discounts` (`customer.discount.deleted` for each dropped,
 * `customer.discount.created` for each new), and the ids the subscription's `discounts` become; the caller updates
 * the subscription, so that one `customer.subscription.updated` tells of this and its other changes.
 */
export function announceDiscountChanges(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  discounts: readonly Stripe.Discount[],
  request: RequestInfo,
): string[] {
  const kept = new Set(discounts.map((discount) => discount.id));
  const before = subscriptionDiscounts(core, subscription);
  // A customer's discount reused with `{discount}` is the customer's still: it is neither created nor deleted here.
  const own = (discount: Stripe.Discount) => discount.subscription === subscription.id;
  for (const dropped of before.filter((discount) => own(discount) && !kept.has(discount.id))) {
    core.events.emit("customer.discount.deleted", dropped, request);
  }
  const had = new Set(before.map((discount) => discount.id));
  for (const added of discounts.filter((discount) => own(discount) && !had.has(discount.id))) {
    core.events.emit("customer.discount.created", added, request);
  }
  return [...kept];
}

/** Ends the subscription's and its customer's discounts whose duration is over, as a renewal finds them. */
export function endFinishedDiscounts(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  request: RequestInfo,
): void {
  const now = core.now();
  const own = subscriptionDiscounts(core, subscription);
  const running = own.filter((discount) => inEffect(core, discount, now));
  if (running.length < own.length) replaceSubscriptionDiscounts(core, subscription, running, request);
  endFinishedCustomerDiscount(core, subscription.customer as string, request);
}

/**
 * The discounts an invoice of the subscription made at `at` takes: the subscription's own, else its customer's
 * (Stripe: "If not specified or empty, inherits the discount from the subscription's customer").
 */
export function subscriptionInvoiceDiscounts(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  at: number,
): string[] {
  const own = subscriptionDiscounts(core, subscription).filter((discount) => inEffect(core, discount, at));
  if (own.length > 0) return own.map((discount) => discount.id);
  return customerInvoiceDiscounts(core, subscription.customer as string, subscription.currency, at);
}

export function subscriptionDiscounts(core: EmulatorCore, subscription: Stripe.Subscription): Stripe.Discount[] {
  return subscription.discounts.flatMap((each) => {
    const found = core.store.find(typeof each === "string" ? each : each.id);
    return found?.object === "discount" ? [found as Stripe.Discount] : [];
  });
}
