import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { NO_REQUEST } from "../events.js";

/**
 * A session paid by a delayed notification method (a SEPA debit) completes while its payment is `processing`,
 * `payment_status: unpaid`; the payment's outcome follows as `checkout.session.async_payment_succeeded` (now
 * `paid`) or `checkout.session.async_payment_failed`. A payment still processing announces nothing yet.
 */
export function announceAsyncPayment(core: EmulatorCore, session: Stripe.Checkout.Session): void {
  if (typeof session.payment_intent !== "string") return;
  const intent = core.store.get<Stripe.PaymentIntent>("payment_intent", session.payment_intent);
  if (intent.status === "succeeded") {
    const previous = core.store.update(session, { payment_status: "paid" });
    core.events.emit("checkout.session.async_payment_succeeded", session, NO_REQUEST, previous);
  } else if (intent.status === "requires_payment_method") {
    core.events.emit("checkout.session.async_payment_failed", session, NO_REQUEST);
  }
}
