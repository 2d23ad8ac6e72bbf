import type Stripe from "stripe";
import { invalidParam } from "../../errors.js";
import { optionalObject, type Params } from "../../params.js";

type SpendingControls = Stripe.Issuing.Card.SpendingControls;
type Category = Stripe.Issuing.Card.SpendingControls.AllowedCategory;

/** What Stripe shows for a card or cardholder without controls: no lists, no limits. */
export function noSpendingControls(): SpendingControls {
  return {
    allowed_card_presences: null,
    allowed_categories: null,
    allowed_merchant_countries: null,
    blocked_card_presences: null,
    blocked_categories: null,
    blocked_merchant_countries: null,
    spending_limits: [],
    spending_limits_currency: null,
  };
}

/**
 * `spending_controls[...]` as the object shows it, over `current`: the schema has checked the names and enums
 * already, so only the amounts need turning into numbers.
 */
export function spendingControlsFrom(params: Params, current: SpendingControls): SpendingControls {
  const given = optionalObject(params, "spending_controls");
  if (!given) return current;
  const controls: SpendingControls = { ...current };
  const lists = [
    "allowed_card_presences",
    "allowed_categories",
    "allowed_merchant_countries",
    "blocked_card_presences",
    "blocked_categories",
    "blocked_merchant_countries",
  ] as const;
  for (const name of lists) {
    const value = given[name];
    if (value === undefined) continue;
    (controls as unknown as Record<string, unknown>)[name] = value === "" ? null : Object.values(value as object);
  }
  if (typeof given.spending_limits_currency === "string")
    controls.spending_limits_currency = given.spending_limits_currency;
  if (given.spending_limits !== undefined) {
    const limits = given.spending_limits === "" ? [] : Object.values(given.spending_limits as object);
    controls.spending_limits = limits.map((limit: Params, index) => {
      const amount = Number(limit.amount);
      if (!Number.isInteger(amount) || amount < 0) {
        throw invalidParam(`spending_controls[spending_limits][${index}][amount]`, `Invalid integer: ${limit.amount}`);
      }
      const categories =
        limit.categories === undefined ? null : (Object.values(limit.categories as object) as Category[]);
      return {
        amount,
        categories,
        interval: limit.interval as Stripe.Issuing.Card.SpendingControls.SpendingLimit.Interval,
      };
    });
  }
  return controls;
}

/**
 * Whether `controls` let an authorization of `amount` at a merchant of `category` through. Limits over a period
 * count the approved authorizations of that period passed in `spentSince`; the period starts at the UTC day, week
 * (Sunday), month or year, as Stripe's do. `held`: what the same authorization already holds, when `amount` is an
 * increment of it, which a per-authorization limit counts too.
 */
export function spendingControlsAllow(
  controls: SpendingControls | null,
  amount: number,
  category: string,
  spentSince: (since: number) => number,
  now: number,
  held = 0,
): boolean {
  if (!controls) return true;
  if (controls.allowed_categories?.length && !controls.allowed_categories.includes(category as Category)) return false;
  if (controls.blocked_categories?.includes(category as Category)) return false;
  for (const limit of controls.spending_limits ?? []) {
    if (limit.categories?.length && !limit.categories.includes(category as Category)) continue;
    const start = periodStart(limit.interval, now);
    const spent = start === undefined ? held : spentSince(start);
    if (spent + amount > limit.amount) return false;
  }
  return true;
}

function periodStart(interval: string, now: number): number | undefined {
  const date = new Date(now * 1000);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) / 1000;
  switch (interval) {
    case "all_time":
      return 0;
    case "daily":
      return day;
    case "weekly":
      return day - date.getUTCDay() * 86_400;
    case "monthly":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000;
    case "yearly":
      return Date.UTC(date.getUTCFullYear(), 0, 1) / 1000;
    default:
      // per_authorization: the amount alone
      return undefined;
  }
}
