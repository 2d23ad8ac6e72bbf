import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { couponRedeemable } from "./discount-redemption.js";

const DURATIONS = new Set(["forever", "once", "repeating"]);

/**
 * `/v1/coupons` and `/v1/promotion_codes`: a coupon is the discount (percent or amount off, for how long); a
 * promotion code is a customer-facing code that redeems one. Coupons can be renamed and deleted, codes deactivated.
 */
export function couponRoutes(core: EmulatorCore): Route[] {
  // A coupon past its `redeem_by` is no longer `valid`, which Stripe shows from that moment on.
  const coupon = (id: string, param = "id") => withValidity(core, core.store.get<Stripe.Coupon>("coupon", id, param));
  const code = (id: string) => core.store.get<Stripe.PromotionCode>("promotion_code", id);
  return [
    { method: "POST", pattern: "/v1/coupons", handler: ({ params, request }) => createCoupon(core, params, request) },
    { method: "GET", pattern: "/v1/coupons/:id", handler: ({ path }) => coupon(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/coupons/:id",
      handler: ({ path, params, request }) => {
        const found = coupon(path.id as string);
        const name = nullableString(params, "name");
        const previous = core.store.update(found, {
          metadata: mergeMetadata(params, found.metadata ?? {}),
          ...(name !== undefined && { name }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("coupon.updated", found, request, previous);
        return found;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/coupons/:id",
      handler: ({ path, request }) => {
        const found = coupon(path.id as string);
        core.store.remove(found);
        core.events.emit("coupon.deleted", found, request);
        return deletedStub(found);
      },
    },
    {
      method: "GET",
      pattern: "/v1/coupons",
      handler: ({ params, url }) => {
        const inRange = createdFilter(params);
        return paginate(
          core.store
            .all<Stripe.Coupon>("coupon")
            .filter((each) => inRange(each.created))
            .map((each) => withValidity(core, each)),
          params,
          url,
        );
      },
    },
    {
      method: "POST",
      pattern: "/v1/promotion_codes",
      handler: ({ params, request }) => {
        const promotion = optionalObject(params, "promotion") ?? {};
        const redeems = coupon(requireString(promotion, "coupon"), "promotion[coupon]");
        const created = core.store.insert<Stripe.PromotionCode>({
          id: stripeId("promo"),
          object: "promotion_code",
          active: optionalBoolean(params, "active") ?? true,
          code: optionalString(params, "code") ?? stripeId("CODE", 8).slice(5).toUpperCase(),
          created: core.now(),
          customer: optionalString(params, "customer") ?? null,
          customer_account: null,
          expires_at: optionalInteger(params, "expires_at") ?? null,
          livemode: false,
          max_redemptions: optionalInteger(params, "max_redemptions") ?? null,
          metadata: mergeMetadata(params),
          promotion: { coupon: redeems.id, type: "coupon" },
          restrictions: codeRestrictions(params),
          times_redeemed: 0,
        });
        core.events.emit("promotion_code.created", created, request);
        return created;
      },
    },
    { method: "GET", pattern: "/v1/promotion_codes/:id", handler: ({ path }) => code(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/promotion_codes/:id",
      handler: ({ path, params, request }) => {
        const found = code(path.id as string);
        const active = optionalBoolean(params, "active");
        // Stripe: "A promotion code cannot be reactivated once it has been deactivated."
        if (active === true && !found.active) {
          throw invalidParam("active", "Promotion codes cannot be reactivated once they have been deactivated.");
        }
        const previous = core.store.update(found, {
          metadata: mergeMetadata(params, found.metadata ?? {}),
          ...(active !== undefined && { active }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("promotion_code.updated", found, request, previous);
        return found;
      },
    },
    {
      method: "GET",
      pattern: "/v1/promotion_codes",
      handler: ({ params, url }) => {
        const couponId = optionalString(params, "coupon");
        const active = optionalBoolean(params, "active");
        const codes = core.store
          .all<Stripe.PromotionCode>("promotion_code")
          .filter((each) => couponId === undefined || each.promotion.coupon === couponId)
          .filter((each) => active === undefined || each.active === active);
        return paginate(codes, params, url);
      },
    },
  ];
}

function withValidity(core: EmulatorCore, coupon: Stripe.Coupon): Stripe.Coupon {
  if (coupon.valid && !couponRedeemable(core, coupon)) core.store.update(coupon, { valid: false });
  return coupon;
}

/** Who may redeem a code: only customers without prior transactions, and only on an amount at least a minimum. */
function codeRestrictions(params: Params): Stripe.PromotionCode.Restrictions {
  const restrictions = optionalObject(params, "restrictions") ?? {};
  const minimum = optionalInteger(restrictions, "minimum_amount") ?? null;
  const currency = optionalString(restrictions, "minimum_amount_currency")?.toLowerCase() ?? null;
  if ((minimum === null) !== (currency === null)) {
    throw invalidParam(
      "restrictions[minimum_amount_currency]",
      "`minimum_amount` and `minimum_amount_currency` must be passed together.",
    );
  }
  return {
    first_time_transaction: optionalBoolean(restrictions, "first_time_transaction") ?? false,
    minimum_amount: minimum,
    minimum_amount_currency: currency,
  };
}

function createCoupon(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.Coupon {
  const percentOff = optionalString(params, "percent_off");
  const amountOff = optionalInteger(params, "amount_off");
  if ((percentOff === undefined) === (amountOff === undefined)) {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "",
      "You must pass exactly one of `percent_off` or `amount_off`.",
    );
  }
  const percent = percentOff === undefined ? null : Number(percentOff);
  if (percent !== null && !(percent > 0 && percent <= 100)) {
    throw invalidParam("percent_off", "percent_off must be greater than 0 and at most 100.");
  }
  const currency = optionalString(params, "currency")?.toLowerCase() ?? null;
  if (amountOff !== undefined && currency === null) {
    throw invalidParam("currency", "You must pass a currency with amount_off.");
  }
  const duration = optionalString(params, "duration") ?? "once";
  if (!DURATIONS.has(duration)) throw invalidParam("duration", `Invalid duration: ${duration}`);
  const months = optionalInteger(params, "duration_in_months") ?? null;
  if (duration === "repeating" && months === null) {
    throw invalidParam("duration_in_months", "A repeating coupon needs duration_in_months.");
  }
  const id = optionalString(params, "id") ?? stripeId("", 8).slice(1);
  if (core.store.find(id)) {
    throw new StripeApiError(400, "invalid_request_error", "resource_already_exists", "Coupon already exists.", "id");
  }
  const coupon = core.store.insert<Stripe.Coupon>({
    id,
    object: "coupon",
    amount_off: amountOff ?? null,
    created: core.now(),
    currency,
    duration: duration as Stripe.Coupon.Duration,
    duration_in_months: duration === "repeating" ? months : null,
    livemode: false,
    max_redemptions: optionalInteger(params, "max_redemptions") ?? null,
    metadata: mergeMetadata(params),
    name: nullableString(params, "name") ?? null,
    percent_off: percent,
    redeem_by: optionalInteger(params, "redeem_by") ?? null,
    times_redeemed: 0,
    valid: true,
  });
  core.events.emit("coupon.created", coupon, request);
  return coupon;
}
