import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { invalidParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalInteger,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { type TestCard, testCard } from "./payment-methods.js";

/**
 * `/v1/customers/{id}/sources`, the legacy Sources API for cards: a `tok_*` test token becomes a `card_...` on the
 * customer (`customer.source.created`; the first becomes the customer's `default_source`, `customer.updated`),
 * which can be updated (`customer.source.updated`) and removed (`customer.source.deleted`). Bank accounts and
 * Source objects are not emulated.
 */
export function customerSourceRoutes(core: EmulatorCore): Route[] {
  const customerOf = (id: string) => core.store.get<Stripe.Customer>("customer", id, "customer");
  const sourceOf = (customer: Stripe.Customer, id: string) => {
    const card = core.store.get<Stripe.Card>("card", id);
    if (card.customer !== customer.id) throw invalidParam("id", `No such source: '${id}'`, "resource_missing");
    return card;
  };
  return [
    {
      method: "POST",
      pattern: "/v1/customers/:id/sources",
      handler: ({ path, params, request }) => {
        const customer = customerOf(path.id as string);
        const test = cardSourceToken(requireString(params, "source"));
        const card = insertCardSource(core, customer.id, test, mergeMetadata(params));
        core.events.emit("customer.source.created", card, request);
        if (customer.default_source === null) {
          const previous = core.store.update(customer, { default_source: card.id });
          core.events.emit("customer.updated", customer, request, previous);
        }
        return card;
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:customer/sources/:id",
      handler: ({ path }) => sourceOf(customerOf(path.customer as string), path.id as string),
    },
    {
      method: "POST",
      pattern: "/v1/customers/:customer/sources/:id",
      handler: ({ path, params, request }) => {
        const card = sourceOf(customerOf(path.customer as string), path.id as string);
        const name = nullableString(params, "name");
        const expMonth = optionalInteger(params, "exp_month");
        const expYear = optionalInteger(params, "exp_year");
        const previous = core.store.update(card, {
          metadata: mergeMetadata(params, card.metadata ?? {}),
          ...(name !== undefined && { name }),
          ...(expMonth !== undefined && { exp_month: expMonth }),
          ...(expYear !== undefined && { exp_year: expYear }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("customer.source.updated", card, request, previous);
        return card;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/customers/:customer/sources/:id",
      handler: ({ path, request }) => {
        const customer = customerOf(path.customer as string);
        const card = sourceOf(customer, path.id as string);
        core.store.remove(card);
        core.events.emit("customer.source.deleted", card, request);
        if (customer.default_source === card.id) {
          const next = core.store.all<Stripe.Card>("card").find((each) => each.customer === customer.id);
          const previous = core.store.update(customer, { default_source: next?.id ?? null });
          core.events.emit("customer.updated", customer, request, previous);
        }
        return deletedStub(card);
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:id/sources",
      handler: ({ path, params, url }) => {
        const customer = customerOf(path.id as string);
        const cards = core.store.all<Stripe.Card>("card").filter((card) => card.customer === customer.id);
        return paginate(cards, params, url);
      },
    },
  ];
}

/** The test card a `tok_*` token names; anything else (bank tokens, `src_*`) is refused as not emulated. */
export function cardSourceToken(token: string): TestCard {
  const test = testCard(token);
  if (!test || !token.startsWith("tok_")) {
    throw invalidParam("source", `The emulator takes a card test token as source, such as tok_visa, not '${token}'.`);
  }
  return test;
}

/** A `card_...` on the customer, made from a test token; the caller emits `customer.source.created`. */
export function insertCardSource(
  core: EmulatorCore,
  customerId: string,
  test: TestCard,
  metadata: Stripe.Metadata,
): Stripe.Card {
  return core.store.insert<Stripe.Card>({
    id: stripeId("card"),
    object: "card",
    address_city: null,
    address_country: null,
    address_line1: null,
    address_line1_check: null,
    address_line2: null,
    address_state: null,
    address_zip: null,
    address_zip_check: null,
    brand: test.brand,
    country: "US",
    customer: customerId,
    cvc_check: "pass",
    dynamic_last4: null,
    exp_month: 12,
    exp_year: new Date(core.now() * 1000).getUTCFullYear() + 3,
    fingerprint: stripeId("", 16).slice(1),
    funding: test.funding,
    last4: test.last4,
    metadata,
    name: null,
    regulated_status: "unregulated",
    tokenization_method: null,
  } as unknown as Stripe.Card);
}

/**
 * A card source seen as a payment method, as Stripe lets a `card_...` be passed wherever a payment method is taken
 * (a payment intent's, an invoice's default source): same id, not stored twice.
 */
export function cardSourceAsPaymentMethod(card: Stripe.Card): Stripe.PaymentMethod {
  return {
    id: card.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: null, name: card.name, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: card.cvc_check },
      country: card.country,
      display_brand: card.brand,
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      fingerprint: card.fingerprint,
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: null,
      regulated_status: "unregulated",
      three_d_secure_usage: null,
      wallet: null,
    },
    created: 0,
    customer: typeof card.customer === "string" ? card.customer : null,
    livemode: false,
    metadata: card.metadata ?? {},
    type: "card",
  } as unknown as Stripe.PaymentMethod;
}

/**
 * The `default_source` a customer update asks for, if any. Stripe's docs: passing `source` "will create a new source
 * object, make it the new customer default source, and delete the old customer default if one exists";
 * `default_source` names one of the customer's own sources.
 */
export function requestedDefaultSource(
  core: EmulatorCore,
  customer: Stripe.Customer,
  params: Params,
  request: RequestInfo,
): string | undefined {
  const token = optionalString(params, "source");
  if (token !== undefined) {
    const card = insertCardSource(core, customer.id, cardSourceToken(token), {});
    core.events.emit("customer.source.created", card, request);
    const old = typeof customer.default_source === "string" ? core.store.find(customer.default_source) : undefined;
    if (old?.object === "card") {
      core.store.remove(old);
      core.events.emit("customer.source.deleted", old, request);
    }
    return card.id;
  }
  const chosen = optionalString(params, "default_source");
  if (chosen === undefined) return undefined;
  const card = core.store.find(chosen) as Stripe.Card | undefined;
  if (card?.object !== "card" || card.customer !== customer.id) {
    throw invalidParam("default_source", `No such source: '${chosen}'`, "resource_missing");
  }
  return chosen;
}
