import { randomBytes } from "node:crypto";
import { sign } from "../../src/verify/sign.js";

export const SECRET = "whsec_test_secret_for_the_suite_0123456789";

export function eventId(): string {
  return `evt_${randomBytes(12).toString("hex")}`;
}

/** A snapshot event as Stripe sends it: pretty-printed JSON, about `padTo` bytes when asked. */
export function eventBody(overrides: Record<string, unknown> = {}, padTo = 0): string {
  const event = {
    id: eventId(),
    object: "event",
    api_version: "2025-10-29.clover",
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `cus_${randomBytes(7).toString("hex")}`,
        object: "customer",
        email: "jenny.rosen@example.com",
        metadata: {} as Record<string, string>,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "customer.created",
    ...overrides,
  };
  for (let i = 0; JSON.stringify(event, null, 2).length < padTo; i++) {
    event.data.object.metadata[`note_${i}`] = "x".repeat(64);
  }
  return JSON.stringify(event, null, 2);
}

export function signedHeaders(body: string, secret = SECRET, timestamp?: number): Record<string, string> {
  return {
    "content-type": "application/json",
    "stripe-signature": sign(body, { secret, ...(timestamp !== undefined && { timestamp }) }),
  };
}
