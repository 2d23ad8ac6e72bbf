import type Stripe from "stripe";

/** Every snapshot event type the installed `stripe` package knows: no hand-kept list. */
export type StripeEventType = Stripe.Event["type"];

/** `"invoice.*"` for `"invoice.paid"`, `"customer.*"` and `"customer.subscription.*"` for subscription events. */
type WildcardsOf<T extends string> = T extends `${infer Head}.${infer Rest}`
  ? `${Head}.*` | `${Head}.${WildcardsOf<Rest>}`
  : never;

/** What `inbox.on` accepts: an exact type, a wildcard over a dotted prefix, or `"*"`. */
export type EventPattern = StripeEventType | WildcardsOf<StripeEventType> | "*";

/** The event a handler for `P` receives, narrowed by the `stripe` package's discriminated union. */
export type EventFor<P extends string> = P extends "*"
  ? Stripe.Event
  : P extends `${infer Prefix}.*`
    ? Extract<Stripe.Event, { type: `${Prefix}.${string}` }>
    : Extract<Stripe.Event, { type: P }>;

/** Matches at run time what `EventPattern` means at compile time. */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
