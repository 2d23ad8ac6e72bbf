import type Stripe from "stripe";
import type { AccountStores } from "./accounts.js";
import type { StripeObject } from "./store.js";
import { stripeId } from "./store.js";

/** Which API request caused a change; null for changes the emulator makes on its own (a completed checkout). */
export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
  /** The request's `Stripe-Version`, which its events record; null: the account's. */
  stripeVersion: string | null;
}

export const NO_REQUEST: RequestInfo = { id: null, idempotencyKey: null, stripeVersion: null };

/** Records events as Stripe does (a snapshot of the object, `previous_attributes` for updates) and hands them on. */
export class EventLog {
  /** Every event of every account, oldest first. */
  readonly all: Stripe.Event[] = [];

  constructor(
    private readonly accounts: AccountStores,
    private readonly now: () => number,
    private readonly apiVersion: string,
    private readonly onEvent: (event: Stripe.Event) => number,
    /** Fills the snapshot's missing fields, so webhooks carry objects as complete as the API's answers. */
    private readonly completeObject: (object: StripeObject) => void = () => {},
  ) {}

  emit(
    type: Stripe.Event.Type,
    object: StripeObject,
    request: RequestInfo,
    previousAttributes?: Record<string, unknown>,
  ): Stripe.Event {
    // Completed in place, as the answer would complete it anyway: the snapshot is then complete without a second pass.
    this.completeObject(object);
    const snapshot = structuredClone(object);
    const data: { object: unknown; previous_attributes?: unknown } = { object: snapshot };
    if (previousAttributes !== undefined) data.previous_attributes = structuredClone(previousAttributes);
    const event = {
      id: stripeId("evt"),
      object: "event",
      api_version: request.stripeVersion ?? this.apiVersion,
      created: this.now(),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
      // A connected account's events name it, as Stripe sends them to Connect endpoints.
      ...(this.accounts.account !== null && { account: this.accounts.account }),
    } as Stripe.Event;
    this.accounts.store().insert(event);
    this.all.push(event);
    event.pending_webhooks = this.onEvent(event);
    return event;
  }
}

/** `*` is Stripe's wildcard: `charge.*` matches `charge.succeeded` and `charge.dispute.created`, `*` every type. */
export function eventTypeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes("*")) return pattern === type;
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(type);
}
