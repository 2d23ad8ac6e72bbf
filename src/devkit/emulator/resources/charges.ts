import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, missingParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type Params,
  requireInteger,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { recordBalanceTransaction, settleAtOnceIfTestCard } from "./balance.js";
import { stripeFees } from "./charge-fees.js";
import { disputeIfTestCard } from "./disputes.js";
import { declineCodeFor, resolvePaymentMethod } from "./payment-methods.js";

export interface ChargeRequest {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: Stripe.PaymentMethod;
  paymentIntent: string | null;
  capture: boolean;
  description: string | null;
  metadata: Stripe.Metadata;
  /** What the charge shows of a payment method other than a card. */
  details?: Stripe.Charge.PaymentMethodDetails;
  /** A bank debit: `pending` (`charge.pending`) until the bank answers, rather than succeeded at once. */
  pending?: boolean;
}

/** A charge's or payment intent's `amount`: Stripe refuses less than its minimum, $0.50 for usd. */
export function requirePaymentAmount(params: Params): number {
  const amount = requireInteger(params, "amount");
  if (amount < 50) throw invalidParam("amount", "Amount must be at least $0.50 usd", "amount_too_small");
  return amount;
}

/**
 * Creates the charge for a payment and emits `charge.succeeded`, `charge.failed` for a declining test card, or
 * `charge.pending` for a bank debit.
 */
export function createCharge(core: EmulatorCore, charge: ChargeRequest, request: RequestInfo): Stripe.Charge {
  const declineCode = declineCodeFor(charge.paymentMethod);
  const pending = charge.pending === true;
  const card = charge.paymentMethod.card;
  const created = core.store.insert<Stripe.Charge>({
    id: stripeId("ch"),
    object: "charge",
    amount: charge.amount,
    amount_captured: declineCode || !charge.capture ? 0 : charge.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: "STRIPE-INBOX",
    captured: !declineCode && charge.capture,
    created: core.now(),
    currency: charge.currency,
    customer: charge.customer,
    description: charge.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: declineCode ? "card_declined" : null,
    failure_message: declineCode ? "Your card was declined." : null,
    fraud_details: {},
    livemode: false,
    metadata: charge.metadata,
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: declineCode ? "declined_by_network" : "approved_by_network",
      reason: declineCode ?? null,
      risk_level: "normal",
      seller_message: declineCode
        ? "The bank did not return any further details with this decline."
        : "Payment complete.",
      type: declineCode ? "issuer_declined" : "authorized",
    },
    paid: !declineCode && !pending,
    payment_intent: charge.paymentIntent,
    payment_method: charge.paymentMethod.id,
    payment_method_details:
      charge.details ??
      ({
        type: "card",
        card: {
          brand: card?.brand,
          last4: card?.last4,
          funding: card?.funding,
          exp_month: card?.exp_month,
          exp_year: card?.exp_year,
          country: "US",
        },
      } as Stripe.Charge.PaymentMethodDetails),
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: declineCode ? "failed" : pending ? "pending" : "succeeded",
    transfer_data: null,
    transfer_group: null,
  });
  core.events.emit(declineCode ? "charge.failed" : pending ? "charge.pending" : "charge.succeeded", created, request);
  return created;
}

/** Stripe attaches the balance transaction just after the charge succeeds, hence its `charge.updated`. */
export function settleCharge(core: EmulatorCore, charge: Stripe.Charge, request: RequestInfo): void {
  const transaction = recordBalanceTransaction(core, {
    amount: charge.amount_captured,
    currency: charge.currency,
    source: charge.id,
    type: "charge",
    reportingCategory: "charge",
    status: "pending",
    availableOn: core.now() + 2 * 86_400,
    description: charge.description,
    feeDetails: stripeFees(charge),
  });
  const previous = core.store.update(charge, {
    balance_transaction: transaction.id,
    receipt_url: `${core.baseUrl()}/_emulator/receipts/${charge.id}`,
  });
  core.events.emit("charge.updated", charge, request, previous);
  settleAtOnceIfTestCard(core, charge, transaction, request);
  disputeIfTestCard(core, charge, request);
}

/** The 402 Stripe answers for a declined card, naming the charge and payment intent. */
export function cardDeclined(charge: Stripe.Charge, paymentIntent?: Stripe.PaymentIntent): StripeApiError {
  return new StripeApiError(402, "card_error", "card_declined", "Your card was declined.", undefined, {
    charge: charge.id,
    decline_code: charge.outcome?.reason ?? "generic_decline",
    ...(paymentIntent && { payment_intent: paymentIntent }),
  });
}

/** `/v1/charges`: direct charges with test tokens, retrieve, update, capture, list. */
export function chargeRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Charge>("charge", id);
  return [
    {
      method: "POST",
      pattern: "/v1/charges",
      handler: ({ params, request }) => {
        const amount = requirePaymentAmount(params);
        const currency = requireString(params, "currency").toLowerCase();
        const customer = optionalString(params, "customer") ?? null;
        const owner = customer === null ? null : core.store.get<Stripe.Customer>("customer", customer, "customer");
        // Without a source, Stripe charges the customer's default source.
        const defaultSource = typeof owner?.default_source === "string" ? owner.default_source : undefined;
        const source = optionalString(params, "source") ?? optionalString(params, "payment_method") ?? defaultSource;
        if (source === undefined) throw missingParam("source");
        const charge = createCharge(
          core,
          {
            amount,
            currency,
            customer,
            paymentMethod: resolvePaymentMethod(core, source, "source"),
            paymentIntent: null,
            capture: optionalBoolean(params, "capture") ?? true,
            description: nullableString(params, "description") ?? null,
            metadata: mergeMetadata(params),
          },
          request,
        );
        if (charge.status === "failed") throw cardDeclined(charge);
        settleCharge(core, charge, request);
        return charge;
      },
    },
    { method: "GET", pattern: "/v1/charges/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/charges/:id",
      handler: ({ path, params, request }) => {
        const charge = get(path.id as string);
        const description = nullableString(params, "description");
        const previous = core.store.update(charge, {
          metadata: mergeMetadata(params, charge.metadata),
          ...(description !== undefined && { description }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("charge.updated", charge, request, previous);
        return charge;
      },
    },
    {
      method: "POST",
      pattern: "/v1/charges/:id/capture",
      handler: ({ path, params, request }) => {
        const charge = get(path.id as string);
        if (charge.captured || charge.status !== "succeeded") {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "charge_already_captured",
            `Charge ${charge.id} has already been captured.`,
          );
        }
        const amount = optionalInteger(params, "amount") ?? charge.amount;
        if (amount > charge.amount)
          throw invalidParam("amount", "The capture amount cannot exceed the authorized amount.");
        captureCharge(core, charge, amount, request);
        return charge;
      },
    },
    {
      method: "GET",
      pattern: "/v1/charges",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const paymentIntent = optionalString(params, "payment_intent");
        const inRange = createdFilter(params);
        const charges = core.store
          .query<Stripe.Charge>("charge")
          .filter((charge) => customer === undefined || charge.customer === customer)
          .filter((charge) => paymentIntent === undefined || charge.payment_intent === paymentIntent)
          .filter((charge) => inRange(charge.created));
        return paginate(charges, params, url);
      },
    },
  ];
}

export function captureCharge(core: EmulatorCore, charge: Stripe.Charge, amount: number, request: RequestInfo): void {
  const previous = core.store.update(charge, { captured: true, amount_captured: amount });
  core.events.emit("charge.captured", charge, request, previous);
}
