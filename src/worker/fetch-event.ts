import type Stripe from "stripe";

/**
 * Loads the full event behind a stored one through the Stripe API: a thin event (`v2.core.event`) carries only
 * a reference, and a snapshot may be stale. Connect events are fetched on behalf of their account.
 */
export async function fetchFullEvent(
  stripe: Stripe,
  event: { id: string; object?: unknown; context?: unknown; account?: unknown },
) {
  if (event.object === "v2.core.event") {
    const context = typeof event.context === "string" ? { stripeContext: event.context } : {};
    return stripe.v2.core.events.retrieve(event.id, {}, context);
  }
  const account = typeof event.account === "string" ? { stripeAccount: event.account } : {};
  return stripe.events.retrieve(event.id, {}, account);
}
