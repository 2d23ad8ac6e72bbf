import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, missingParam, StripeApiError } from "../errors.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, optionalInteger, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";

const REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"]);

/** `/v1/refunds`: refund a charge or a payment intent's charge, in full or in part; emits `charge.refunded`, `refund.created`. */
export function refundRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Refund>("refund", id);
  return [
    {
      method: "POST",
      pattern: "/v1/refunds",
      handler: ({ params, request }) => {
        const charge = chargeToRefund(core, params);
        const remaining = charge.amount_captured - charge.amount_refunded;
        const amount = optionalInteger(params, "amount") ?? remaining;
        if (remaining <= 0) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "charge_already_refunded",
            `Charge ${charge.id} has already been refunded.`,
          );
        }
        if (amount > remaining || amount <= 0) {
          throw invalidParam(
            "amount",
            `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
            "amount_too_large",
          );
        }
        const reason = optionalString(params, "reason");
        if (reason !== undefined && !REASONS.has(reason)) throw invalidParam("reason", `Invalid reason: ${reason}`);
        const refund = core.store.insert<Stripe.Refund>({
          id: stripeId("re"),
          object: "refund",
          amount,
          balance_transaction: null,
          charge: charge.id,
          created: core.now(),
          currency: charge.currency,
          customer: charge.customer,
          customer_account: null,
          destination_details: {
            type: "card",
            card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" },
          },
          metadata: mergeMetadata(params),
          payment_intent: charge.payment_intent,
          payment_method: charge.payment_method,
          reason: (reason as Stripe.Refund.Reason | undefined) ?? null,
          receipt_number: null,
          source_transfer_reversal: null,
          status: "succeeded",
          transfer_reversal: null,
        });
        const refunded = charge.amount_refunded + amount;
        const previous = core.store.update(charge, {
          amount_refunded: refunded,
          refunded: refunded === charge.amount_captured,
        });
        core.events.emit("charge.refunded", charge, request, previous);
        core.events.emit("refund.created", refund, request);
        return refund;
      },
    },
    { method: "GET", pattern: "/v1/refunds/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/refunds/:id",
      handler: ({ path, params, request }) => {
        const refund = get(path.id as string);
        const previous = core.store.update(refund, { metadata: mergeMetadata(params, refund.metadata ?? {}) });
        // Stripe announces a refund's change twice: the older charge-scoped event, and the refund's own.
        if (Object.keys(previous).length > 0) {
          core.events.emit("charge.refund.updated", refund, request, previous);
          core.events.emit("refund.updated", refund, request, previous);
        }
        return refund;
      },
    },
    {
      method: "GET",
      pattern: "/v1/refunds",
      handler: ({ params, url }) => {
        const charge = optionalString(params, "charge");
        const paymentIntent = optionalString(params, "payment_intent");
        const inRange = createdFilter(params);
        const refunds = core.store
          .query<Stripe.Refund>("refund")
          .filter((refund) => (charge === undefined || refund.charge === charge) && inRange(refund.created))
          .filter((refund) => paymentIntent === undefined || refund.payment_intent === paymentIntent);
        return paginate(refunds, params, url);
      },
    },
  ];
}

function chargeToRefund(core: EmulatorCore, params: Params): Stripe.Charge {
  const chargeId = optionalString(params, "charge");
  if (chargeId !== undefined) return core.store.get<Stripe.Charge>("charge", chargeId, "charge");
  const intentId = optionalString(params, "payment_intent");
  if (intentId === undefined) throw missingParam("charge");
  const intent = core.store.get<Stripe.PaymentIntent>("payment_intent", intentId, "payment_intent");
  if (typeof intent.latest_charge !== "string") {
    throw invalidParam(
      "payment_intent",
      `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
      "charge_not_refundable",
    );
  }
  return core.store.get<Stripe.Charge>("charge", intent.latest_charge, "payment_intent");
}
