import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { createProduct } from "./products.js";

const INTERVALS = new Set(["day", "week", "month", "year"]);

/**
 * `/v1/plans`, the older form of a recurring price: create (with a `product` id or an inline `product[name]`),
 * retrieve, update, delete, list. Stripe keeps a price beside each plan; the emulator keeps the plan alone.
 */
export function planRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Plan>("plan", id);
  return [
    {
      method: "POST",
      pattern: "/v1/plans",
      handler: ({ params, request }) => {
        const interval = requireString(params, "interval");
        if (!INTERVALS.has(interval)) {
          throw invalidParam("interval", "Invalid interval: must be one of day, week, month, or year");
        }
        const amount = optionalInteger(params, "amount");
        if (amount === undefined) throw missingParam("amount");
        const inline = optionalObject(params, "product");
        const productId = inline ? undefined : requireString(params, "product");
        const product = inline
          ? createProduct(core, inline, request)
          : core.store.get<Stripe.Product>("product", productId as string, "product");
        const plan = core.store.insert<Stripe.Plan>({
          id: optionalString(params, "id") ?? stripeId("price"),
          object: "plan",
          active: optionalBoolean(params, "active") ?? true,
          amount,
          amount_decimal: String(amount) as unknown as Stripe.Plan["amount_decimal"],
          billing_scheme: "per_unit",
          created: core.now(),
          currency: requireString(params, "currency").toLowerCase(),
          interval: interval as Stripe.Plan.Interval,
          interval_count: optionalInteger(params, "interval_count") ?? 1,
          livemode: false,
          metadata: mergeMetadata(params),
          meter: null,
          nickname: nullableString(params, "nickname") ?? null,
          product: product.id,
          tiers_mode: null,
          transform_usage: null,
          trial_period_days: optionalInteger(params, "trial_period_days") ?? null,
          usage_type: "licensed",
        });
        core.events.emit("plan.created", plan, request);
        return plan;
      },
    },
    { method: "GET", pattern: "/v1/plans/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/plans/:id",
      handler: ({ path, params, request }) => {
        const plan = get(path.id as string);
        const active = optionalBoolean(params, "active");
        const nickname = nullableString(params, "nickname");
        const previous = core.store.update(plan, {
          metadata: mergeMetadata(params, plan.metadata ?? {}),
          ...(active !== undefined && { active }),
          ...(nickname !== undefined && { nickname }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("plan.updated", plan, request, previous);
        return plan;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/plans/:id",
      handler: ({ path, request }) => {
        const plan = get(path.id as string);
        core.store.remove(plan);
        core.events.emit("plan.deleted", plan, request);
        return deletedStub(plan);
      },
    },
    {
      method: "GET",
      pattern: "/v1/plans",
      handler: ({ params, url }) => {
        const product = optionalString(params, "product");
        const active = optionalBoolean(params, "active");
        const inRange = createdFilter(params);
        const plans = core.store
          .all<Stripe.Plan>("plan")
          .filter((plan) => (product === undefined || plan.product === product) && inRange(plan.created))
          .filter((plan) => active === undefined || plan.active === active);
        return paginate(plans, params, url);
      },
    },
  ];
}
