import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import { optionalInteger, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import type { InvoiceLine } from "./subscription-invoices.js";

/** One `items[n]` of a subscription: its recurring price, quantity and current period. */
export function subscriptionItem(
  core: EmulatorCore,
  subscriptionId: string,
  params: Params,
  param: string,
  start: number,
  trialEnd: number | null,
): Stripe.SubscriptionItem {
  const priceId = optionalString(params, "price");
  if (priceId === undefined) throw missingParam(`${param}[price]`);
  const price = core.store.get<Stripe.Price>("price", priceId, `${param}[price]`);
  if (!price.recurring) {
    throw invalidParam(
      `${param}[price]`,
      `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
    );
  }
  return {
    id: stripeId("si", 14),
    object: "subscription_item",
    billing_thresholds: null,
    created: core.now(),
    current_period_end: trialEnd ?? addInterval(start, price.recurring.interval, price.recurring.interval_count),
    current_period_start: start,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planFor(price),
    price,
    quantity: optionalInteger(params, "quantity") ?? 1,
    subscription: subscriptionId,
    tax_rates: [],
  };
}

/** The legacy `plan` mirror of a recurring price, which subscription items still carry. */
function planFor(price: Stripe.Price): Stripe.Plan {
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: "per_unit",
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? "month",
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product as string,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  };
}

/** What the items' current periods are billed as. */
export function invoiceLinesFor(items: readonly Stripe.SubscriptionItem[]): InvoiceLine[] {
  return items.map((item) => ({
    price: item.price,
    quantity: item.quantity ?? 1,
    periodStart: item.current_period_start,
    periodEnd: item.current_period_end,
  }));
}

export function addInterval(start: number, interval: Stripe.Price.Recurring.Interval, count: number): number {
  const date = new Date(start * 1000);
  if (interval === "day") date.setUTCDate(date.getUTCDate() + count);
  if (interval === "week") date.setUTCDate(date.getUTCDate() + 7 * count);
  if (interval === "month") date.setUTCMonth(date.getUTCMonth() + count);
  if (interval === "year") date.setUTCFullYear(date.getUTCFullYear() + count);
  return Math.floor(date.getTime() / 1000);
}
