import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import { optionalArray, optionalString, type Params } from "../params.js";
import { unsupportedParam } from "../unsupported-params.js";

/** What a `discounts` entry asks for: a coupon to redeem (perhaps through a promotion code), or a discount to reuse. */
export type Redemption =
  | { coupon: Stripe.Coupon; promotionCode: Stripe.PromotionCode | null; param: string }
  | { existing: Stripe.Discount; param: string };

/** What Stripe checks a redemption against. */
export interface RedemptionContext {
  /** Null while the customer is being created: a new customer has no transactions and matches no restricted code. */
  customer: string | null;
  /** The currency the discounted object is billed in, which an `amount_off` coupon must be in; null if none yet. */
  currency: string | null;
  /** The amount the discounts would reduce, for a promotion code's `minimum_amount`; undefined when not known yet. */
  amount?: number;
  /** Discounts already on the object or its ancestors, which `{discount: "di_..."}` may name. */
  reusable: readonly Stripe.Discount[];
}

/**
 * Reads `discounts` (`[{coupon}|{promotion_code}|{discount}]`) and checks every entry before anything is redeemed, so
 * a refused entry leaves no half-applied discounts. Undefined when the parameter is absent; `[]` for `''`, which
 * Stripe reads as "none".
 */
export function requestedRedemptions(
  core: EmulatorCore,
  params: Params,
  name: string,
  context: RedemptionContext,
): Redemption[] | undefined {
  if (params[name] === undefined) return undefined;
  const entries = optionalArray(params, name) ?? [];
  const redemptions = entries.map((entry, index) => redemption(core, entry as Params, `${name}[${index}]`, context));
  const seen = new Set<string>();
  for (const each of redemptions) {
    const coupon = "existing" in each ? couponOf(each.existing) : each.coupon.id;
    // One object takes a coupon once, whether it is named directly, through a code or by a discount already redeemed.
    if (seen.has(coupon)) {
      throw invalidParam(each.param, `The coupon ${coupon} is applied more than once: each coupon can apply once.`);
    }
    seen.add(coupon);
  }
  return redemptions;
}

/**
 * `discounts`, or at a version before 2025-03-31.basil the `coupon` or `promotion_code` it replaced (`''` for none):
 * a legacy parameter is the one-entry `discounts` it now is.
 */
export function requestedDiscounts(
  core: EmulatorCore,
  params: Params,
  legacy: Params,
  context: RedemptionContext,
): Redemption[] | undefined {
  const single = legacyRedemption(core, legacy, context);
  if (single === undefined) return requestedRedemptions(core, params, "discounts", context);
  if (params.discounts !== undefined) {
    throw invalidParam("discounts", "You may only specify one of these parameters: coupon, discounts, promotion_code.");
  }
  return single === null ? [] : [single];
}

/** The legacy `coupon` or `promotion_code` parameter, as the one-entry `discounts` it now is. */
export function legacyRedemption(
  core: EmulatorCore,
  legacy: Params,
  context: RedemptionContext,
): Redemption | null | undefined {
  for (const name of ["coupon", "promotion_code"] as const) {
    const value = optionalString(legacy, name);
    if (value === undefined) continue;
    if (value === "") return null;
    return redemption(core, { [name]: value }, null, context);
  }
  return undefined;
}

/** `param` names the `discounts` entry; null for a legacy top-level `coupon` or `promotion_code`. */
function redemption(core: EmulatorCore, entry: Params, param: string | null, context: RedemptionContext): Redemption {
  const given = (["coupon", "promotion_code", "discount"] as const).filter((key) => entry[key] !== undefined);
  if (param !== null && given.length !== 1) {
    throw invalidParam(param, "You must pass exactly one of `coupon`, `promotion_code` or `discount`.");
  }
  const child = (key: string) => (param === null ? key : `${param}[${key}]`);
  const coupon = optionalString(entry, "coupon");
  if (coupon !== undefined) {
    const found = referenced<Stripe.Coupon>(core, "coupon", coupon, child("coupon"));
    requireRedeemable(core, found, context, child("coupon"));
    return { coupon: found, promotionCode: null, param: child("coupon") };
  }
  const code = optionalString(entry, "promotion_code");
  if (code !== undefined) {
    const found = referenced<Stripe.PromotionCode>(core, "promotion_code", code, child("promotion_code"));
    const redeems = referenced<Stripe.Coupon>(
      core,
      "coupon",
      found.promotion.coupon as string,
      child("promotion_code"),
    );
    requireUsableCode(core, found, context, child("promotion_code"));
    requireRedeemable(core, redeems, context, child("promotion_code"));
    return { coupon: redeems, promotionCode: found, param: child("promotion_code") };
  }
  const id = optionalString(entry, "discount") as string;
  const existing = context.reusable.find((discount) => discount.id === id);
  if (!existing) throw missing("discount", id, child("discount"));
  return { existing, param: child("discount") };
}

/** A reference in a request that names nothing: Stripe's 400 `resource_missing` on that parameter. */
function referenced<T extends { id: string; object: string }>(
  core: EmulatorCore,
  type: T["object"],
  id: string,
  param: string,
): T {
  const found = core.store.find(id);
  if (found?.object !== type) throw missing(type.replace("_", " "), id, param);
  return found as T;
}

/** Stripe's 400 for an id in a parameter that names nothing, as the emulator answers it elsewhere. */
function missing(what: string, id: string, param: string): StripeApiError {
  return invalidParam(param, `No such ${what}: '${id}'`, "resource_missing");
}

/**
 * A coupon past its `redeem_by`, or redeemed `max_redemptions` times, is no longer `valid`: Stripe refuses it with
 * `coupon_expired`. An `amount_off` coupon takes off an amount of one currency, so it needs that currency.
 */
function requireRedeemable(core: EmulatorCore, coupon: Stripe.Coupon, context: RedemptionContext, param: string): void {
  if (!couponRedeemable(core, coupon)) {
    throw new StripeApiError(400, "invalid_request_error", "coupon_expired", `Coupon expired: ${coupon.id}`, param);
  }
  if (coupon.amount_off !== null && context.currency !== null && coupon.currency !== context.currency) {
    throw invalidParam(
      param,
      `The coupon ${coupon.id} takes off an amount in ${coupon.currency}; it cannot apply to an amount in ${context.currency}.`,
    );
  }
}

export function couponRedeemable(core: EmulatorCore, coupon: Stripe.Coupon): boolean {
  const pastRedeemBy = coupon.redeem_by !== null && coupon.redeem_by <= core.now();
  const usedUp = coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions;
  return coupon.valid && !pastRedeemBy && !usedUp;
}

/** A promotion code's own limits (active, expiry, redemptions, customer) and its restrictions. */
function requireUsableCode(
  core: EmulatorCore,
  code: Stripe.PromotionCode,
  context: RedemptionContext,
  param: string,
): void {
  const refuse = (message: string) => invalidParam(param, message);
  if (!code.active) throw refuse(`The promotion code ${code.code} is inactive.`);
  if (code.expires_at !== null && code.expires_at <= core.now()) {
    throw refuse(`The promotion code ${code.code} has expired.`);
  }
  if (code.max_redemptions !== null && code.times_redeemed >= code.max_redemptions) {
    throw refuse(`The promotion code ${code.code} has been redeemed its maximum of ${code.max_redemptions} times.`);
  }
  if (code.customer !== null && code.customer !== context.customer) {
    throw refuse(`The promotion code ${code.code} can only be redeemed by customer ${code.customer}.`);
  }
  const { first_time_transaction: firstTime, minimum_amount: minimum } = code.restrictions;
  if (firstTime && context.customer !== null && hasPriorTransactions(core, context.customer)) {
    throw refuse("This promotion code cannot be redeemed because the associated customer has prior transactions.");
  }
  if (minimum === null) return;
  if (context.amount === undefined) {
    throw unsupportedParam(
      param,
      "a promotion code with `minimum_amount` is checked against an invoice's amount, and this has none yet.",
    );
  }
  const currency = code.restrictions.minimum_amount_currency;
  if (currency !== context.currency || context.amount < minimum) {
    throw refuse(
      `This promotion code cannot be redeemed because the amount is below its minimum of ${minimum} ${currency}.`,
    );
  }
}

/** Stripe's "first-time order": the customer has never paid anything, by charge or by invoice. */
function hasPriorTransactions(core: EmulatorCore, customer: string): boolean {
  const charged = core.store
    .all<Stripe.Charge>("charge")
    .some((charge) => charge.customer === customer && charge.status === "succeeded");
  return (
    charged ||
    core.store
      .all<Stripe.Invoice>("invoice")
      .some((invoice) => invoice.customer === customer && invoice.amount_paid > 0)
  );
}

export function couponOf(discount: Stripe.Discount): string {
  const coupon = discount.source.coupon;
  return typeof coupon === "string" ? coupon : (coupon?.id ?? "");
}
