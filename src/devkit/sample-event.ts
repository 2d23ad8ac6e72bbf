import { randomBytes } from "node:crypto";

const API_VERSION = "2025-10-29.clover";

function stripeId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
}

/** A plausible `payment_intent.succeeded` snapshot event, pretty-printed as Stripe sends it. */
export function samplePaymentIntentEvent(options: { type?: string; account?: string } = {}): string {
  const created = Math.floor(Date.now() / 1000);
  const intent = stripeId("pi");
  const event = {
    id: stripeId("evt"),
    object: "event",
    ...(options.account && { account: options.account }),
    api_version: API_VERSION,
    created,
    data: {
      object: {
        id: intent,
        object: "payment_intent",
        amount: 2000,
        amount_received: 2000,
        currency: "usd",
        customer: null,
        description: "stripe-inbox test event",
        latest_charge: stripeId("ch"),
        livemode: false,
        metadata: {},
        payment_method: stripeId("pm"),
        payment_method_types: ["card"],
        status: "succeeded",
        created,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: stripeId("req"), idempotency_key: null },
    type: options.type ?? "payment_intent.succeeded",
  };
  return JSON.stringify(event, null, 2);
}
