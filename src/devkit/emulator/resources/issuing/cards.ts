import { randomInt } from "node:crypto";
import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { invalidParam, missingParam, StripeApiError } from "../../errors.js";
import { createdFilter, paginate } from "../../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireString,
} from "../../params.js";
import { stripeId } from "../../store.js";
import { noSpendingControls, spendingControlsFrom } from "./spending-controls.js";

type Card = Stripe.Issuing.Card;

/** The currencies Stripe issues cards in: its US, euro-area and UK programs'. */
const ISSUING_CURRENCIES = new Set(["usd", "eur", "gbp"]);

/**
 * `/v1/issuing/cards`: virtual and physical cards, `inactive` unless created `active`, canceled for good. A card
 * always shows its cardholder in full, as Stripe does; `number` and `cvc` only when expanded.
 */
export function cardRoutes(core: EmulatorCore): Route[] {
  core.virtualFields.set("issuing.card.number", (card) => cardNumber(card as Card));
  core.virtualFields.set("issuing.card.cvc", (card) => String(hashOf(card.id) % 1000).padStart(3, "0"));
  return [
    {
      method: "POST",
      pattern: "/v1/issuing/cards",
      handler: ({ params, request }) => {
        const currency = requireString(params, "currency").toLowerCase();
        if (!ISSUING_CURRENCIES.has(currency)) {
          throw invalidParam("currency", `Issuing cards can only be created in usd, eur or gbp, not ${currency}.`);
        }
        const cardholderId = optionalString(params, "cardholder");
        if (cardholderId === undefined) throw missingParam("cardholder");
        const cardholder = core.store.get<Stripe.Issuing.Cardholder>("issuing.cardholder", cardholderId, "cardholder");
        const type = requireString(params, "type") as Stripe.Issuing.Card.Type;
        const shipping = optionalObject(params, "shipping");
        if (type === "physical" && !shipping) throw missingParam("shipping");
        const now = new Date(core.now() * 1000);
        const card = core.store.insert<Card>({
          id: stripeId("ic"),
          object: "issuing.card",
          brand: "Visa",
          cancellation_reason: null,
          cardholder,
          created: core.now(),
          currency,
          exp_month: optionalInteger(params, "exp_month") ?? now.getUTCMonth() + 1,
          exp_year: optionalInteger(params, "exp_year") ?? now.getUTCFullYear() + 3,
          last4: String(randomInt(10_000)).padStart(4, "0"),
          latest_fraud_warning: null,
          lifecycle_controls: null,
          livemode: false,
          metadata: mergeMetadata(params),
          personalization_design: null,
          replaced_by: null,
          replacement_for: optionalString(params, "replacement_for") ?? null,
          replacement_reason: (optionalString(params, "replacement_reason") ??
            null) as Stripe.Issuing.Card.ReplacementReason | null,
          second_line: nullableString(params, "second_line") ?? null,
          shipping: shipping ? shippingFrom(shipping) : null,
          spending_controls: spendingControlsFrom(params, noSpendingControls()),
          status: (optionalString(params, "status") ?? "inactive") as Stripe.Issuing.Card.Status,
          type,
          wallets: walletsFor(cardholder),
        });
        core.events.emit("issuing_card.created", card, request);
        return card;
      },
    },
    { method: "GET", pattern: "/v1/issuing/cards/:id", handler: ({ path }) => issuingCard(core, path.id as string) },
    {
      method: "POST",
      pattern: "/v1/issuing/cards/:id",
      handler: ({ path, params, request }) => {
        const card = issuingCard(core, path.id as string);
        const status = optionalString(params, "status") as Stripe.Issuing.Card.Status | undefined;
        if (card.status === "canceled" && (status !== undefined || params.spending_controls !== undefined)) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "",
            "This card has been canceled and cannot be updated.",
          );
        }
        const reason = optionalString(params, "cancellation_reason") as
          | Stripe.Issuing.Card.CancellationReason
          | undefined;
        if (reason !== undefined && status !== "canceled") {
          throw invalidParam("cancellation_reason", "cancellation_reason can only be given with status=canceled.");
        }
        const previous = core.store.update(card, {
          metadata: mergeMetadata(params, card.metadata),
          spending_controls: spendingControlsFrom(params, card.spending_controls),
          ...(status !== undefined && { status }),
          ...(reason !== undefined && { cancellation_reason: reason }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("issuing_card.updated", card, request, previous);
        return card;
      },
    },
    {
      method: "GET",
      pattern: "/v1/issuing/cards",
      handler: ({ params, url }) => {
        const cardholder = optionalString(params, "cardholder");
        const [status, type, last4] = [
          optionalString(params, "status"),
          optionalString(params, "type"),
          optionalString(params, "last4"),
        ];
        const [expMonth, expYear] = [optionalInteger(params, "exp_month"), optionalInteger(params, "exp_year")];
        const inRange = createdFilter(params);
        const cards = core.store
          .query<Card>("issuing.card")
          .filter(
            (card) =>
              inRange(card.created) &&
              (cardholder === undefined || card.cardholder.id === cardholder) &&
              (status === undefined || card.status === status) &&
              (type === undefined || card.type === type) &&
              (last4 === undefined || card.last4 === last4) &&
              (expMonth === undefined || card.exp_month === expMonth) &&
              (expYear === undefined || card.exp_year === expYear),
          );
        const page = paginate(cards, params, url);
        for (const card of page.data) withCurrentCardholder(core, card);
        return page;
      },
    },
  ];
}

/** The card with its cardholder as it is now: a copy embedded before a restart would otherwise stay behind. */
export function issuingCard(core: EmulatorCore, id: string, param = "id"): Card {
  return withCurrentCardholder(core, core.store.get<Card>("issuing.card", id, param));
}

function withCurrentCardholder(core: EmulatorCore, card: Card): Card {
  const current = core.store.find(card.cardholder.id) as Stripe.Issuing.Cardholder | undefined;
  if (current && current !== card.cardholder) card.cardholder = current;
  return card;
}

/**
 * The card's number: a Visa test BIN, digits from its id, and its `last4`, with the digit before them chosen so the
 * Luhn check passes. Derived rather than stored, so it survives a restart unchanged.
 */
function cardNumber(card: Card): string {
  const middle = String(hashOf(card.id) % 100_000).padStart(5, "0");
  for (let digit = 0; digit < 10; digit++) {
    const number = `400000${middle}${digit}${card.last4}`;
    if (luhnValid(number)) return number;
  }
  throw new Error("unreachable: one digit always completes a Luhn sum");
}

function luhnValid(number: string): boolean {
  let sum = 0;
  for (let index = 0; index < number.length; index++) {
    const digit = Number(number[number.length - 1 - index]);
    const doubled = index % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
}

function hashOf(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}

function shippingFrom(shipping: Params): Stripe.Issuing.Card.Shipping {
  const address = shipping.address as Record<string, string | undefined>;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    address: {
      city: text(address.city),
      country: text(address.country),
      line1: text(address.line1),
      line2: text(address.line2),
      postal_code: text(address.postal_code),
      state: text(address.state),
    },
    address_validation: null,
    business_name: text(shipping.business_name),
    carrier: null,
    customs: null,
    eta: null,
    name: String(shipping.name),
    phone_number: text(shipping.phone_number),
    require_signature: shipping.require_signature === undefined ? null : shipping.require_signature === "true",
    service: (text(shipping.service) ?? "standard") as Stripe.Issuing.Card.Shipping.Service,
    status: "pending",
    tracking_number: null,
    tracking_url: null,
    type: (text(shipping.type) ?? "individual") as Stripe.Issuing.Card.Shipping.Type,
  };
}

/** Wallets need a way to reach the cardholder for provisioning: an email or a phone number. */
function walletsFor(cardholder: Stripe.Issuing.Cardholder): Stripe.Issuing.Card.Wallets {
  const reachable = cardholder.email !== null || cardholder.phone_number !== null;
  const wallet = {
    eligible: reachable,
    ineligible_reason: reachable ? null : ("missing_cardholder_contact" as const),
  };
  return { apple_pay: { ...wallet }, google_pay: { ...wallet }, primary_account_identifier: null };
}
