import Stripe from "stripe";
import { ConfigError } from "../errors.js";
import { actingAs } from "./accounts.js";
import type { ObjectSnapshot } from "./snapshot.js";

type Retrieve = (stripe: Stripe, id: string, options: Stripe.RequestOptions) => Promise<{ id: string }>;

/** The types whose snapshots can be revalidated, by mirror table, and the retrieve call for each. */
const RETRIEVERS: Record<string, Retrieve> = {
  customers: (stripe, id, options) => stripe.customers.retrieve(id, {}, options),
  subscriptions: (stripe, id, options) => stripe.subscriptions.retrieve(id, {}, options),
  invoices: (stripe, id, options) => stripe.invoices.retrieve(id, {}, options),
  payment_intents: (stripe, id, options) => stripe.paymentIntents.retrieve(id, {}, options),
  charges: (stripe, id, options) => stripe.charges.retrieve(id, {}, options),
  refunds: (stripe, id, options) => stripe.refunds.retrieve(id, {}, options),
  disputes: (stripe, id, options) => stripe.disputes.retrieve(id, {}, options),
  products: (stripe, id, options) => stripe.products.retrieve(id, {}, options),
  prices: (stripe, id, options) => stripe.prices.retrieve(id, {}, options),
  payment_methods: (stripe, id, options) => stripe.paymentMethods.retrieve(id, {}, options),
  setup_intents: (stripe, id, options) => stripe.setupIntents.retrieve(id, {}, options),
  checkout_sessions: (stripe, id, options) => stripe.checkout.sessions.retrieve(id, {}, options),
};
export const REVALIDATE_TYPES = Object.keys(RETRIEVERS);

export function checkRevalidateTypes(types: readonly string[]): ReadonlySet<string> {
  const unknown = types.filter((type) => !(type in RETRIEVERS));
  if (unknown.length > 0) {
    throw new ConfigError(`Cannot revalidate ${unknown.join(", ")}; known types: ${REVALIDATE_TYPES.join(", ")}.`);
  }
  return new Set(types);
}

/** What the mirror handler needs to revalidate `types`, or undefined when none is asked for. */
export function revalidationFor(
  types: readonly string[],
  stripe: (feature: string) => Stripe,
): { types: ReadonlySet<string>; stripe: () => Stripe } | undefined {
  if (types.length === 0) return undefined;
  const checked = checkRevalidateTypes(types);
  // Checked now, not at the first event: a missing key would otherwise dead-letter every revalidated run.
  const client = stripe("mirror revalidation");
  return { types: checked, stripe: () => client };
}

/**
 * The event with its snapshot replaced by the object as the API has it now, stamped with the second it was
 * fetched: a current state, newer than any event that arrived before it. 429s and 5xx are retried by the client
 * (`maxNetworkRetries`: it honours `Stripe-Should-Retry` and backs off); an object the API no longer has keeps
 * the event's own snapshot, and a delete is applied as sent.
 */
export async function revalidate(
  stripe: Stripe,
  event: object,
  snapshot: ObjectSnapshot,
  now: () => number = () => Math.floor(Date.now() / 1000),
): Promise<object> {
  const retrieve = RETRIEVERS[snapshot.table];
  if (!retrieve || snapshot.deleted) return event;
  const fetchedAt = now();
  try {
    const current = await retrieve(stripe, snapshot.id, actingAs(snapshot.account));
    const deleted = "deleted" in current && current.deleted === true;
    return {
      ...event,
      // A deleted customer or product is answered as a stub with `deleted: true`: a delete after all.
      ...(deleted && { type: `${String(snapshot.object.object)}.deleted` }),
      created: fetchedAt,
      api_version: Stripe.API_VERSION,
      data: { object: current },
    };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing") return event;
    throw error;
  }
}
