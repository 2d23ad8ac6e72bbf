import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { stripeId } from "../store.js";

/**
 * A customer's own discount, which before 2025-03-31.basil a `coupon` on the customer set: a new coupon replaces the
 * discount (`customer.discount.created`, or `.updated` when one was there) and `coupon=''` removes it
 * (`customer.discount.deleted`); on an existing customer each also sends `customer.updated`.
 */
export function applyCustomerCoupon(
  core: EmulatorCore,
  customer: Stripe.Customer,
  couponParam: unknown,
  request: RequestInfo,
  { creating = false } = {},
): void {
  if (typeof couponParam !== "string") throw invalidParam("coupon", "Invalid string");
  const before = customer.discount ?? null;
  if (couponParam === "") {
    if (!before) return;
    const previous = core.store.update(customer, { discount: null });
    core.events.emit("customer.discount.deleted", before, request);
    core.events.emit("customer.updated", customer, request, previous);
    return;
  }
  const coupon = core.store.get<Stripe.Coupon>("coupon", couponParam, "coupon");
  const now = core.now();
  const discount: Stripe.Discount = {
    id: stripeId("di"),
    object: "discount",
    checkout_session: null,
    customer: customer.id,
    customer_account: null,
    end: coupon.duration === "repeating" ? now + (coupon.duration_in_months ?? 0) * 30 * 86_400 : null,
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    source: { coupon: coupon.id, type: "coupon" },
    start: now,
    subscription: null,
    subscription_item: null,
  };
  core.store.update(coupon, { times_redeemed: coupon.times_redeemed + 1 });
  const previous = core.store.update(customer, { discount });
  core.events.emit(
    before ? "customer.discount.updated" : "customer.discount.created",
    discount,
    request,
    before ? { source: before.source } : undefined,
  );
  if (!creating) core.events.emit("customer.updated", customer, request, previous);
}
