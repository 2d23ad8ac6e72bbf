import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";

const DAY = 86_400;
/**
 * A new account's dunning defaults: Stripe recommends, and new accounts start with, Smart Retries of 8 tries within
 * 2 weeks, then the subscription canceled and its invoice left open. Smart Retries pick their times by machine
 * learning; the emulator spreads the seven retries evenly, one every two days, so that tests can name the days.
 */
export const DUNNING = { attempts: 8, retryEverySeconds: 2 * DAY } as const;

/** When Stripe tries a renewal invoice again after a failed attempt, or null after the last. */
export function nextPaymentAttempt(core: EmulatorCore, invoice: Stripe.Invoice): number | null {
  if (invoice.billing_reason !== "subscription_cycle" || invoice.collection_method !== "charge_automatically") {
    return null;
  }
  return invoice.attempt_count < DUNNING.attempts ? core.now() + DUNNING.retryEverySeconds : null;
}
