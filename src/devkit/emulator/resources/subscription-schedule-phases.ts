import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import {
  mergeMetadata,
  optionalArray,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
} from "../params.js";
import { addInterval, subscriptionItem } from "./subscription-items.js";

type Phase = Stripe.SubscriptionSchedule.Phase;

/**
 * `phases[n]` as Stripe lays them end to end from `start`: each lasts to its `end_date`, for its `duration`, or
 * (at API versions before clover) for `iterations` billing periods of its first price; the last one, given none of
 * these, for one period. `legacy` holds each phase's retired `iterations` by index.
 */
export function schedulePhases(
  core: EmulatorCore,
  phaseParams: unknown[],
  legacy: Params | undefined,
  start: number,
): Phase[] {
  if (phaseParams.length === 0) throw missingParam("phases");
  let phaseStart = start;
  return phaseParams.map((raw, index) => {
    const params = raw as Params;
    const name = `phases[${index}]`;
    const items = phaseItems(core, params, name);
    const firstPrice = core.store.get<Stripe.Price>("price", items[0]?.price as string);
    const iterations = optionalInteger((legacy?.[index] as Params | undefined) ?? {}, "iterations");
    const end = phaseEnd(params, name, phaseStart, firstPrice, iterations, index === phaseParams.length - 1);
    if (end <= phaseStart)
      throw invalidParam(`${name}[end_date]`, `The phase must end after it starts (${phaseStart}).`);
    const phase: Phase = {
      add_invoice_items: [],
      application_fee_percent: null,
      billing_cycle_anchor: null,
      billing_thresholds: null,
      collection_method: null,
      currency: firstPrice.currency,
      default_payment_method: optionalString(params, "default_payment_method") ?? null,
      default_tax_rates: [],
      description: optionalString(params, "description") ?? null,
      discounts: [],
      end_date: end,
      invoice_settings: null,
      items,
      metadata: mergeMetadata(params),
      on_behalf_of: null,
      proration_behavior: "create_prorations",
      start_date: phaseStart,
      transfer_data: null,
      trial_end: null,
    };
    phaseStart = end;
    return phase;
  });
}

function phaseItems(core: EmulatorCore, params: Params, name: string): Stripe.SubscriptionSchedule.Phase.Item[] {
  const items = optionalArray(params, "items");
  if (!items || items.length === 0) throw missingParam(`${name}[items]`);
  return items.map((raw, index) => {
    const param = `${name}[items][${index}]`;
    const price = optionalString(raw as Params, "price");
    if (price === undefined) throw missingParam(`${param}[price]`);
    const found = core.store.get<Stripe.Price>("price", price, `${param}[price]`);
    if (!found.recurring) {
      throw invalidParam(
        `${param}[price]`,
        "A phase's items take recurring prices; one-time ones go in add_invoice_items.",
      );
    }
    return {
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: found.id,
      price: found.id,
      quantity: optionalInteger(raw as Params, "quantity") ?? 1,
      tax_rates: [],
    } as Stripe.SubscriptionSchedule.Phase.Item;
  });
}

function phaseEnd(
  params: Params,
  name: string,
  start: number,
  price: Stripe.Price,
  iterations: number | undefined,
  last: boolean,
): number {
  const endDate = optionalInteger(params, "end_date");
  if (endDate !== undefined) return endDate;
  const recurring = price.recurring as Stripe.Price.Recurring;
  if (iterations !== undefined) return addInterval(start, recurring.interval, iterations * recurring.interval_count);
  const duration = optionalObject(params, "duration");
  if (duration) {
    const interval = optionalString(duration, "interval") as Stripe.Price.Recurring.Interval;
    return addInterval(start, interval, optionalInteger(duration, "interval_count") ?? 1);
  }
  if (last) return addInterval(start, recurring.interval, recurring.interval_count);
  throw invalidParam(
    `${name}[end_date]`,
    "Every phase but the last needs an end: give it end_date or duration (or iterations, before API version 2025-09-30.clover).",
  );
}

/** The phase that runs at `time`, if any. */
export function phaseAt(phases: readonly Phase[], time: number): Phase | undefined {
  return phases.find((phase) => phase.start_date <= time && time < phase.end_date);
}

/** The subscription's `items[]` parameters for a phase, as `createSubscription` takes them. */
export function subscriptionItemParams(phase: Phase): Params[] {
  return phase.items.map((item) => ({ price: item.price as string, quantity: String(item.quantity ?? 1) }));
}

/**
 * Gives the subscription the phase's items (`customer.subscription.updated`). An item whose price stays keeps its id;
 * every item keeps the current period, so a phase that starts as a period ends is billed by that renewal.
 */
export function applyPhase(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  phase: Phase,
  request: RequestInfo,
): void {
  const current = subscription.items.data;
  const periodStart = current[0]?.current_period_start ?? core.now();
  const periodEnd = current[0]?.current_period_end ?? core.now();
  const items = subscriptionItemParams(phase).map((params, index) => {
    const kept = current.find((item) => item.price.id === params.price);
    const item = kept
      ? { ...kept, quantity: Number(params.quantity) }
      : subscriptionItem(core, subscription.id, params, `phases[items][${index}]`, periodStart, null);
    return { ...item, current_period_start: periodStart, current_period_end: periodEnd };
  });
  const previous = core.store.update(subscription, { items: { ...subscription.items, data: items } });
  if (Object.keys(previous).length > 0)
    core.events.emit("customer.subscription.updated", subscription, request, previous);
}
