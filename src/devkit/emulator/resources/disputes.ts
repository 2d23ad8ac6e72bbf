import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, optionalObject, optionalString } from "../params.js";
import { stripeId } from "../store.js";

/**
 * Stripe's test cards that are disputed right after they are charged: as fraudulent (`pm_card_createDispute`), as
 * an inquiry, which is not yet a chargeback (`pm_card_createDisputeInquiry`), or as a product not received.
 */
const DISPUTE_CARDS: Record<string, { reason: string; status: Stripe.Dispute.Status }> = {
  "0259": { reason: "fraudulent", status: "needs_response" },
  "1976": { reason: "general", status: "warning_needs_response" },
  "2685": { reason: "product_not_received", status: "needs_response" },
};

const EVIDENCE_FIELDS = [
  "access_activity_log",
  "billing_address",
  "cancellation_policy",
  "cancellation_policy_disclosure",
  "cancellation_rebuttal",
  "customer_communication",
  "customer_email_address",
  "customer_name",
  "customer_purchase_ip",
  "customer_signature",
  "duplicate_charge_documentation",
  "duplicate_charge_explanation",
  "duplicate_charge_id",
  "product_description",
  "receipt",
  "refund_policy",
  "refund_policy_disclosure",
  "refund_refusal_explanation",
  "service_date",
  "service_documentation",
  "shipping_address",
  "shipping_carrier",
  "shipping_date",
  "shipping_documentation",
  "shipping_tracking_number",
  "uncategorized_file",
  "uncategorized_text",
];

/** Opens the dispute Stripe opens for the dispute test card: `charge.dispute.created`. */
export function disputeIfTestCard(core: EmulatorCore, charge: Stripe.Charge, request: RequestInfo): void {
  const disputed = DISPUTE_CARDS[charge.payment_method_details?.card?.last4 ?? ""];
  if (!disputed) return;
  const now = core.now();
  const evidence = Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, null]));
  const dispute = core.store.insert<Stripe.Dispute>({
    id: stripeId("dp"),
    object: "dispute",
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...evidence, enhanced_evidence: {} } as unknown as Stripe.Dispute.Evidence,
    evidence_details: {
      due_by: now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: "not_submitted",
    } as unknown as Stripe.Dispute.EvidenceDetails,
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: disputed.reason,
    status: disputed.status,
  });
  core.store.update(charge, { disputed: true });
  core.events.emit("charge.dispute.created", dispute, request);
}

/** `/v1/disputes`: retrieve, list, update evidence or metadata, close (accept the loss). */
export function disputeRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Dispute>("dispute", id, "dispute");
  return [
    { method: "GET", pattern: "/v1/disputes/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/disputes/:id",
      handler: ({ path, params, request }) => {
        const dispute = get(path.id as string);
        const evidence = optionalObject(params, "evidence");
        const previous = core.store.update(dispute, {
          metadata: mergeMetadata(params, dispute.metadata),
          ...(evidence && { evidence: { ...dispute.evidence, ...evidence } }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("charge.dispute.updated", dispute, request, previous);
        return dispute;
      },
    },
    {
      method: "POST",
      pattern: "/v1/disputes/:id/close",
      handler: ({ path, request }) => {
        const dispute = get(path.id as string);
        if (["lost", "won", "warning_closed"].includes(dispute.status)) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "dispute_already_closed",
            `This dispute is already closed.`,
          );
        }
        // Closing an inquiry ends it before it became a chargeback; closing a chargeback accepts the loss.
        const closed = dispute.status.startsWith("warning_") ? "warning_closed" : "lost";
        const previous = core.store.update(dispute, { status: closed });
        core.events.emit("charge.dispute.closed", dispute, request, previous);
        return dispute;
      },
    },
    {
      method: "GET",
      pattern: "/v1/disputes",
      handler: ({ params, url }) => {
        const charge = optionalString(params, "charge");
        const intent = optionalString(params, "payment_intent");
        const inRange = createdFilter(params);
        const disputes = core.store
          .query<Stripe.Dispute>("dispute")
          .filter((dispute) => (charge === undefined || dispute.charge === charge) && inRange(dispute.created))
          .filter((dispute) => intent === undefined || dispute.payment_intent === intent);
        return paginate(disputes, params, url);
      },
    },
  ];
}
