import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import type { RequestInfo } from "../events.js";
import { optionalObject, optionalString, type Params } from "../params.js";
import { defaultPaymentMethod } from "./invoice-objects.js";

const DAY = 86_400;
/** Stripe sends `customer.subscription.trial_will_end` three days before a trial ends, or at once for a shorter one. */
const TRIAL_WARNING = 3 * DAY;

/** `trial_settings[end_behavior][missing_payment_method]`: what a trial ending without a payment method does. */
export function trialSettings(params: Params): Stripe.Subscription.TrialSettings {
  const endBehavior = optionalObject(optionalObject(params, "trial_settings") ?? {}, "end_behavior") ?? {};
  const missing = optionalString(endBehavior, "missing_payment_method") ?? "create_invoice";
  return {
    end_behavior: {
      billing_cycle_anchor: "unchanged",
      missing_payment_method: missing as Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod,
    },
  };
}

/** The warning a trial that ends within three days gets as soon as it starts. */
export function warnOfTrialEnd(core: EmulatorCore, subscription: Stripe.Subscription, request: RequestInfo): void {
  if (subscription.status !== "trialing" || subscription.trial_end === null) return;
  if (subscription.trial_end - core.now() <= TRIAL_WARNING) {
    core.events.emit("customer.subscription.trial_will_end", subscription, request);
  }
}

/**
 * `trial_end=now` on a trialing subscription. Without a payment method to bill and with `missing_payment_method`
 * set to `pause`, Stripe pauses it (`customer.subscription.updated`, then `customer.subscription.paused`); a trial
 * that would bill or cancel needs the renewal the emulator does not run yet, and says so.
 */
export function endTrialNow(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  request: RequestInfo,
  unsupported: (message: string) => Error,
): void {
  if (subscription.status !== "trialing") return;
  const behavior = subscription.trial_settings?.end_behavior.missing_payment_method;
  const invoice = subscription.latest_invoice
    ? (core.store.find(subscription.latest_invoice as string) as Stripe.Invoice | undefined)
    : undefined;
  const method = invoice ? defaultPaymentMethod(core, invoice) : null;
  if (method !== null || behavior !== "pause") {
    throw unsupported(
      "The emulator cannot end a trial that bills or cancels the subscription yet (trial_end=now); it supports ending one that pauses for want of a payment method.",
    );
  }
  const now = core.now();
  const previous = core.store.update(subscription, {
    status: "paused",
    trial_end: now,
    pause_collection: null,
  });
  core.events.emit("customer.subscription.updated", subscription, request, previous);
  core.events.emit("customer.subscription.paused", subscription, request, previous);
}
