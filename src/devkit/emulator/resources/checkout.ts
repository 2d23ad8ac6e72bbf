import type Stripe from "stripe";
import type { ApiRequest, EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import { NO_REQUEST } from "../events.js";
import { paginate } from "../list.js";
import { mergeMetadata, optionalString, type Params, requireString, stringList } from "../params.js";
import { type StripeObject, stripeId } from "../store.js";
import { announceAsyncPayment } from "./checkout-async-payments.js";
import { sessionLineItems } from "./checkout-line-items.js";
import { createCustomer } from "./customers.js";
import { createPaymentIntent } from "./payment-intents.js";
import { attachPaymentMethod } from "./payment-methods.js";
import { createSetupIntent } from "./setup-intents.js";
import { createSubscription } from "./subscriptions.js";

const MODES = new Set(["payment", "subscription", "setup"]);
const LINE_ITEMS = "emulator.checkout_line_items";

/** A session's line items, which Stripe shows only through their own list: kept in the store, so `--data` keeps them. */
interface SessionLineItems extends StripeObject {
  object: typeof LINE_ITEMS;
  data: Stripe.LineItem[];
}

function lineItemsId(sessionId: string): string {
  return `${sessionId}:line_items`;
}
const DAY = 86_400;

/**
 * `/v1/checkout/sessions`: create, retrieve, list, line items, expire. A customer pays on Stripe's hosted page,
 * which the emulator stands in for with `POST /_emulator/checkout/sessions/:id/complete` (optional `payment_method`).
 */
export function checkoutRoutes(core: EmulatorCore): Route[] {
  const lineItemsOf = (sessionId: string) =>
    (core.store.find(lineItemsId(sessionId)) as SessionLineItems | undefined)?.data ?? [];
  const get = (id: string) => core.store.get<Stripe.Checkout.Session>("checkout.session", id, "session");
  const itemsList = (session: StripeObject) => ({
    object: "list",
    data: lineItemsOf(session.id),
    has_more: false,
    url: `/v1/checkout/sessions/${session.id}/line_items`,
  });
  core.virtualFields.set("checkout.session.line_items", itemsList);
  const complete = ({ path, params }: ApiRequest) =>
    completeSession(core, get(path.id as string), lineItemsOf(path.id as string), params);
  return [
    {
      method: "POST",
      pattern: "/v1/checkout/sessions",
      handler: ({ params, request }) => {
        const items = sessionLineItems(core, params, requireString(params, "mode"), request);
        const session = createSession(core, params);
        core.store.insert<SessionLineItems>({ id: lineItemsId(session.id), object: LINE_ITEMS, data: items });
        const total = items.reduce((sum, item) => sum + item.amount_total, 0);
        core.store.update(session, {
          amount_subtotal: total,
          amount_total: total,
          currency: items[0]?.currency ?? (session.mode === "setup" ? null : "usd"),
        });
        return session;
      },
    },
    { method: "GET", pattern: "/v1/checkout/sessions/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "GET",
      pattern: "/v1/checkout/sessions/:id/line_items",
      handler: ({ path, params, url }) => paginate(lineItemsOf(get(path.id as string).id), params, url),
    },
    {
      method: "POST",
      pattern: "/v1/checkout/sessions/:id/expire",
      handler: ({ path, request }) => {
        const session = get(path.id as string);
        if (session.status !== "open") {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "checkout_session_not_open",
            `Only Checkout Sessions with a status of open can be expired. This session has a status of ${session.status}.`,
          );
        }
        const previous = core.store.update(session, { status: "expired", url: null });
        core.events.emit("checkout.session.expired", session, request, previous);
        return session;
      },
    },
    {
      method: "GET",
      pattern: "/v1/checkout/sessions",
      handler: ({ params, url }) => {
        const paymentIntent = optionalString(params, "payment_intent");
        const customer = optionalString(params, "customer");
        const sessions = core.store
          .query<Stripe.Checkout.Session>("checkout.session")
          .filter((session) => paymentIntent === undefined || session.payment_intent === paymentIntent)
          .filter((session) => customer === undefined || session.customer === customer);
        return paginate(sessions, params, url);
      },
    },
    { method: "POST", pattern: "/_emulator/checkout/sessions/:id/complete", handler: complete },
    // The hosted page's own calls, which the Stripe CLI's checkout fixtures make: read the page, then pay.
    { method: "GET", pattern: "/v1/payment_pages/:id", handler: ({ path }) => get(path.id as string) },
    { method: "POST", pattern: "/v1/payment_pages/:id/confirm", handler: complete },
  ];
}

/** What the hosted page does when the customer pays: the payment (or subscription, or setup), then `checkout.session.completed`. */
function completeSession(
  core: EmulatorCore,
  session: Stripe.Checkout.Session,
  items: Stripe.LineItem[],
  params: Params,
) {
  if (session.status !== "open") {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "checkout_session_not_open",
      `This Checkout Session has a status of ${session.status}.`,
    );
  }
  const paymentMethod = optionalString(params, "payment_method") ?? "pm_card_visa";
  const email = optionalString(params, "email") ?? session.customer_email ?? "customer@example.com";
  const request = NO_REQUEST;
  let customer = typeof session.customer === "string" ? session.customer : null;
  if (customer === null && session.mode !== "payment") customer = createCustomer(core, { email }, request).id;
  const changes: Partial<Stripe.Checkout.Session> = { status: "complete", url: null };
  let processing = false;
  if (session.mode === "payment") {
    const intent = createPaymentIntent(
      core,
      {
        amount: String(session.amount_total),
        currency: session.currency,
        payment_method: paymentMethod,
        confirm: "true",
        ...(customer && { customer }),
      },
      request,
    );
    processing = intent.status === "processing";
    Object.assign(changes, { payment_intent: intent.id, payment_status: processing ? "unpaid" : "paid" });
  } else if (session.mode === "subscription") {
    const method = attachPaymentMethod(core, paymentMethod, customer as string, request);
    const subscription = createSubscription(
      core,
      {
        customer,
        default_payment_method: method.id,
        items: items.map((item) => ({ price: item.price?.id, quantity: String(item.quantity ?? 1) })),
      },
      request,
    );
    Object.assign(changes, {
      subscription: subscription.id,
      invoice: subscription.latest_invoice,
      payment_status: "paid",
    });
  } else {
    const intent = createSetupIntent(core, { customer, payment_method: paymentMethod, confirm: "true" }, request);
    Object.assign(changes, { setup_intent: intent.id, payment_status: "no_payment_required" });
  }
  changes.customer = customer;
  changes.customer_details = {
    address: null,
    business_name: null,
    email,
    individual_name: null,
    name: null,
    phone: null,
    tax_exempt: "none",
    tax_ids: [],
  };
  const previous = core.store.update(session, changes);
  core.events.emit("checkout.session.completed", session, request, previous);
  if (processing) announceAsyncPayment(core, session);
  return session;
}

function createSession(core: EmulatorCore, params: Params): Stripe.Checkout.Session {
  const mode = requireString(params, "mode");
  if (!MODES.has(mode)) throw invalidParam("mode", `Invalid mode: must be one of payment, setup, or subscription`);
  const customer = optionalString(params, "customer") ?? null;
  if (customer !== null) core.store.get("customer", customer, "customer");
  const id = stripeId(mode === "payment" ? "cs_test_a" : "cs_test_b", 58)
    .replace("_a_", "_a")
    .replace("_b_", "_b");
  const now = core.now();
  return core.store.insert<Stripe.Checkout.Session>({
    id,
    object: "checkout.session",
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: null,
    amount_total: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: optionalString(params, "cancel_url") ?? null,
    client_reference_id: optionalString(params, "client_reference_id") ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: null,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer,
    customer_account: null,
    customer_creation: customer === null ? (mode === "payment" ? "if_required" : "always") : null,
    customer_details: null,
    customer_email: optionalString(params, "customer_email") ?? null,
    discounts: [],
    expires_at: now + DAY,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: mergeMetadata(params),
    mode: mode as Stripe.Checkout.Session.Mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: "always",
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: stringList(params, "payment_method_types") ?? ["card"],
    payment_status: mode === "setup" ? "no_payment_required" : "unpaid",
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: optionalString(params, "success_url") ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted",
    url: `${core.baseUrl()}/_emulator/checkout/sessions/${id}`,
    wallet_options: null,
  });
}
