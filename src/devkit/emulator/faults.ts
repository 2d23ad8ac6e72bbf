/** Switches that make the emulator misbehave the ways Stripe can, so tests can see the inbox cope. */
export interface FaultSettings {
  /** Send every webhook delivery twice, as Stripe occasionally does. */
  duplicateDeliveries?: boolean;
  /** Deliver each batch of events (one API call's worth) in random order; Stripe does not guarantee order. */
  shuffleDeliveries?: boolean;
  /** Wait this long before each batch of deliveries. */
  deliveryDelayMs?: number;
  /** Answer the next `count` API requests with this status instead of serving them. */
  apiErrors?: { status: 429 | 500; count: number };
}

/** Reads the switches from JSON or from a form (`duplicateDeliveries=true&apiErrors[status]=429`). */
export function parseFaults(value: unknown): FaultSettings {
  if (typeof value !== "object" || value === null) return {};
  const raw = value as Record<string, unknown>;
  const faults: FaultSettings = {};
  if (isTrue(raw.duplicateDeliveries)) faults.duplicateDeliveries = true;
  if (isTrue(raw.shuffleDeliveries)) faults.shuffleDeliveries = true;
  const delay = Number(raw.deliveryDelayMs);
  if (delay > 0) faults.deliveryDelayMs = delay;
  const apiErrors = raw.apiErrors as { status?: unknown; count?: unknown } | undefined;
  const status = Number(apiErrors?.status);
  const count = Number(apiErrors?.count);
  if ((status === 429 || status === 500) && count > 0) faults.apiErrors = { status, count };
  return faults;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Stripe's bodies for the two statuses; `Stripe-Should-Retry` tells clients a retry is safe. */
export function apiFaultBody(status: 429 | 500): { error: { type: string; code?: string; message: string } } {
  if (status === 429) {
    return {
      error: {
        type: "invalid_request_error",
        code: "rate_limit",
        message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
      },
    };
  }
  return { error: { type: "api_error", message: "An unknown error occurred (emulator fault)." } };
}
