import type Stripe from "stripe";
import { startEmulator } from "../emulator/index.js";
import { postSignedEvent } from "../post-signed.js";
import { type TriggerOptions, trigger } from "./trigger.js";

export interface DirectDelivery {
  event: Stripe.Event;
  status: number;
}

export type DirectTriggerOptions = Omit<TriggerOptions, "apiBase" | "apiKey"> & {
  /** The webhook endpoint to post to, e.g. `http://127.0.0.1:4242/webhooks/stripe`. */
  url: string;
  /** The secret the endpoint verifies with. */
  secret: string;
};

/**
 * `trigger --direct`: runs the fixture against a private, in-process emulator, then posts the events it emitted,
 * signed with `secret`, to `url` in the order they happened. No emulator or Stripe account needs to be running.
 */
export async function triggerDirect(
  event: string | undefined,
  options: DirectTriggerOptions,
): Promise<DirectDelivery[]> {
  const { url, secret, ...rest } = options;
  const emulator = await startEmulator({ port: 0 });
  let events: readonly Stripe.Event[];
  try {
    await trigger(event, { ...rest, apiBase: emulator.url, apiKey: "sk_test_direct" });
    events = emulator.events();
  } finally {
    await emulator.close();
  }
  const deliveries: DirectDelivery[] = [];
  for (const emitted of events) {
    const body = JSON.stringify({ ...emitted, pending_webhooks: 1 }, null, 2);
    const response = await postSignedEvent(url, body, secret);
    await response.arrayBuffer();
    deliveries.push({ event: emitted, status: response.status });
  }
  return deliveries;
}
