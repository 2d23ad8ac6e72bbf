import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { stripeId } from "../store.js";
import { couponOf, type Redemption } from "./discount-redemption.js";
import { addInterval } from "./subscription-items.js";

/**
 * A discount is a coupon redeemed on something: a customer, a subscription, an invoice or an invoice item. It starts
 * when redeemed and ends by its coupon's duration: `once` after the first invoice it applies to, `repeating` after
 * `duration_in_months`, `forever` never. Discounts cannot be fetched by id; `expand[]=discounts` shows them.
 * `DELETE /v1/customers/:id/discount` removes a customer's own.
 */
export function discountRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "DELETE",
      pattern: "/v1/customers/:id/discount",
      handler: ({ path, request }) => {
        const customer = core.store.get<Stripe.Customer>("customer", path.id as string, "customer");
        const discount = customer.discount;
        if (!discount) throw noDiscount("customer", customer.id);
        removeCustomerDiscount(core, customer, request);
        return deletedDiscount(discount);
      },
    },
  ];
}

/** What a discount is redeemed on: Stripe records it on the discount. */
export interface DiscountTarget {
  customer: string;
  subscription?: string;
  invoice?: string;
  invoiceItem?: string;
}

/** Redeems each coupon or code into a new discount (counting the redemption); a reused discount stays as it is. */
export function redeem(
  core: EmulatorCore,
  redemptions: readonly Redemption[],
  target: DiscountTarget,
): Stripe.Discount[] {
  return redemptions.map((each) => {
    if ("existing" in each) return each.existing;
    const { coupon, promotionCode } = each;
    const redeemed = coupon.times_redeemed + 1;
    core.store.update(coupon, {
      times_redeemed: redeemed,
      valid: coupon.max_redemptions === null || redeemed < coupon.max_redemptions,
    });
    if (promotionCode) core.store.update(promotionCode, { times_redeemed: promotionCode.times_redeemed + 1 });
    const now = core.now();
    return core.store.insert<Stripe.Discount>({
      id: stripeId("di"),
      object: "discount",
      checkout_session: null,
      customer: target.customer,
      customer_account: null,
      end: coupon.duration === "repeating" ? addInterval(now, "month", coupon.duration_in_months ?? 0) : null,
      invoice: target.invoice ?? null,
      invoice_item: target.invoiceItem ?? null,
      promotion_code: promotionCode?.id ?? null,
      source: { coupon: coupon.id, type: "coupon" },
      start: now,
      subscription: target.subscription ?? null,
      subscription_item: null,
    });
  });
}

/**
 * A customer's own discount, replaced or (with null) removed: `customer.discount.created`, `.updated` when one was
 * there, or `.deleted`; on an existing customer each also sends `customer.updated`.
 */
export function setCustomerDiscount(
  core: EmulatorCore,
  customer: Stripe.Customer,
  redemption: Redemption | null,
  request: RequestInfo,
  { creating = false } = {},
): void {
  if (redemption === null) {
    removeCustomerDiscount(core, customer, request);
    return;
  }
  const before = customer.discount ?? null;
  const [discount] = redeem(core, [redemption], { customer: customer.id }) as [Stripe.Discount];
  const previous = core.store.update(customer, { discount });
  core.events.emit(
    before ? "customer.discount.updated" : "customer.discount.created",
    discount,
    request,
    before ? { source: before.source } : undefined,
  );
  if (!creating) core.events.emit("customer.updated", customer, request, previous);
}

function removeCustomerDiscount(core: EmulatorCore, customer: Stripe.Customer, request: RequestInfo): void {
  const before = customer.discount ?? null;
  if (!before) return;
  const previous = core.store.update(customer, { discount: null });
  core.events.emit("customer.discount.deleted", before, request);
  core.events.emit("customer.updated", customer, request, previous);
}

export function endFinishedCustomerDiscount(core: EmulatorCore, customerId: string, request: RequestInfo): void {
  const customer = core.store.find(customerId) as Stripe.Customer | undefined;
  const discount = customer?.discount;
  if (customer && discount && !inEffect(core, discount, core.now())) removeCustomerDiscount(core, customer, request);
}

/** The customer's own discount, for an invoice in `currency` made at `at`: none if ended or in another currency. */
export function customerInvoiceDiscounts(
  core: EmulatorCore,
  customerId: string,
  currency: string,
  at: number,
): string[] {
  const discount = (core.store.find(customerId) as Stripe.Customer | undefined)?.discount;
  if (!discount || !inEffect(core, discount, at)) return [];
  const coupon = discountCoupon(core, discount.id);
  return coupon?.amount_off !== null && coupon?.currency !== currency ? [] : [discount.id];
}

/** The coupon a stored discount redeemed; a coupon deleted since still applies to the discounts made from it. */
export function discountCoupon(core: EmulatorCore, discountId: string): Stripe.Coupon | undefined {
  const discount = core.store.find(discountId) as Stripe.Discount | undefined;
  if (discount?.object !== "discount") return undefined;
  const id = couponOf(discount);
  return (core.store.find(id) ?? core.store.wasDeleted(id)) as Stripe.Coupon | undefined;
}

/**
 * A `repeating` discount ends at its `end`. A `once` discount ends once an invoice has taken something off with it
 * ("Applies to the first charge"): a trial's invoice at zero leaves it for the first invoice after the trial.
 */
export function inEffect(core: EmulatorCore, discount: Stripe.Discount, at: number): boolean {
  if (discount.end !== null && at >= discount.end) return false;
  if (discountCoupon(core, discount.id)?.duration !== "once") return true;
  for (const invoice of core.store.newestFirst<Stripe.Invoice>("invoice")) {
    const taken = invoice.total_discount_amounts?.find((each) => each.discount === discount.id);
    if (taken && taken.amount > 0) return false;
  }
  return true;
}

/** What deleting a discount answers: the discount, marked deleted (a deleted discount has no `end`). */
export function deletedDiscount(discount: Stripe.Discount): Stripe.DeletedDiscount {
  const { end: _end, deleted: _deleted, ...rest } = discount;
  return { ...rest, deleted: true };
}

export function noDiscount(type: string, id: string): StripeApiError {
  return new StripeApiError(
    404,
    "invalid_request_error",
    "resource_missing",
    `The ${type} ${id} has no discount to delete.`,
    type,
  );
}
