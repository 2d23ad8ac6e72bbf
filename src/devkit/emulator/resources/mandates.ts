import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";

/** `/v1/mandates/:id`: the customer's permission to debit a bank account, made when a debit is first confirmed. */
export function mandateRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v1/mandates/:id",
      handler: ({ path }) => core.store.get<Stripe.Mandate>("mandate", path.id as string, "mandate"),
    },
  ];
}

/** A SEPA Direct Debit mandate, accepted as `mandate_data[customer_acceptance]` says (online when it says nothing). */
export function createSepaMandate(
  core: EmulatorCore,
  paymentMethod: Stripe.PaymentMethod,
  params: Params,
): Stripe.Mandate {
  const acceptance = optionalObject(optionalObject(params, "mandate_data") ?? {}, "customer_acceptance") ?? {};
  const type = optionalString(acceptance, "type") === "offline" ? "offline" : "online";
  const acceptedAt = optionalString(acceptance, "accepted_at");
  const id = stripeId("mandate");
  return core.store.insert<Stripe.Mandate>({
    id,
    object: "mandate",
    customer_acceptance: {
      accepted_at: acceptedAt === undefined ? core.now() : Number(acceptedAt),
      ...(type === "offline" ? { offline: {} } : { online: { ip_address: null, user_agent: null } }),
      type,
    },
    livemode: false,
    multi_use: {},
    payment_method: paymentMethod.id,
    payment_method_details: {
      sepa_debit: {
        reference: id.slice(-16).toUpperCase(),
        // The mandate itself stands in for the page Stripe shows the customer.
        url: `${core.baseUrl()}/v1/mandates/${id}`,
      },
      type: "sepa_debit",
    },
    status: "active",
    type: "multi_use",
  });
}
