import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError, unexpectedState } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalBoolean, optionalString, type Params, stringList } from "../params.js";
import { stripeId } from "../store.js";
import {
  attachPaymentMethod,
  declineCodeFor,
  namedPaymentMethodTypes,
  requiresAuthentication,
  resolvePaymentMethod,
} from "./payment-methods.js";

const CANCELABLE = new Set(["requires_payment_method", "requires_confirmation", "requires_action"]);

/** `/v1/setup_intents`: create (optionally confirming), confirm, cancel, update, list. */
export function setupIntentRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.SetupIntent>("setup_intent", id, "intent");
  return [
    {
      method: "POST",
      pattern: "/v1/setup_intents",
      handler: ({ params, request }) => createSetupIntent(core, params, request),
    },
    { method: "GET", pattern: "/v1/setup_intents/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/setup_intents/:id",
      handler: ({ path, params }) => {
        const intent = get(path.id as string);
        core.store.update(intent, { metadata: mergeMetadata(params, intent.metadata ?? {}) });
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/setup_intents/:id/confirm",
      handler: ({ path, params, request }) => confirmSetupIntent(core, get(path.id as string), params, request),
    },
    {
      method: "POST",
      pattern: "/v1/setup_intents/:id/cancel",
      handler: ({ path, params, request }) => {
        const intent = get(path.id as string);
        if (!CANCELABLE.has(intent.status)) {
          throw unexpectedState(
            `You cannot cancel this SetupIntent because it has a status of ${intent.status}.`,
            "setup_intent_unexpected_state",
          );
        }
        const reason = optionalString(params, "cancellation_reason") as
          | Stripe.SetupIntent.CancellationReason
          | undefined;
        const previous = core.store.update(intent, { status: "canceled", cancellation_reason: reason ?? null });
        core.events.emit("setup_intent.canceled", intent, request, previous);
        return intent;
      },
    },
    {
      method: "GET",
      pattern: "/v1/setup_intents",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const inRange = createdFilter(params);
        const intents = core.store
          .query<Stripe.SetupIntent>("setup_intent")
          .filter((intent) => (customer === undefined || intent.customer === customer) && inRange(intent.created));
        return paginate(intents, params, url);
      },
    },
  ];
}

export function createSetupIntent(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.SetupIntent {
  const customer = optionalString(params, "customer") ?? null;
  if (customer !== null) core.store.get("customer", customer, "customer");
  const paymentMethod = optionalString(params, "payment_method");
  const id = stripeId("seti");
  const intent = core.store.insert<Stripe.SetupIntent>({
    id,
    object: "setup_intent",
    allowed_payment_method_types:
      (stringList(params, "allowed_payment_method_types") as
        | Stripe.SetupIntent.AllowedPaymentMethodType[]
        | undefined) ?? null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${stripeId("", 25).slice(1)}`,
    created: core.now(),
    customer,
    description: nullableString(params, "description") ?? null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: mergeMetadata(params),
    next_action: null,
    on_behalf_of: null,
    payment_method: paymentMethod === undefined ? null : resolvePaymentMethod(core, paymentMethod, "payment_method").id,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: namedPaymentMethodTypes(params) ?? ["card"],
    single_use_mandate: null,
    status: paymentMethod === undefined ? "requires_payment_method" : "requires_confirmation",
    usage: optionalString(params, "usage") ?? "off_session",
  });
  core.events.emit("setup_intent.created", intent, request);
  if (optionalBoolean(params, "confirm")) confirmSetupIntent(core, intent, {}, request);
  return intent;
}

/** Saves the payment method for later: attaches it to the intent's customer, then `setup_intent.succeeded`. */
export function confirmSetupIntent(
  core: EmulatorCore,
  intent: Stripe.SetupIntent,
  params: Params,
  request: RequestInfo,
): Stripe.SetupIntent {
  if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation") {
    throw unexpectedState(
      `You cannot confirm this SetupIntent because it has a status of ${intent.status}.`,
      "setup_intent_unexpected_state",
    );
  }
  const given = optionalString(params, "payment_method");
  const methodId = given ?? (typeof intent.payment_method === "string" ? intent.payment_method : undefined);
  if (methodId === undefined) {
    throw unexpectedState(
      "You cannot confirm this SetupIntent because it's missing a payment method.",
      "setup_intent_unexpected_state",
    );
  }
  let method = resolvePaymentMethod(core, methodId, "payment_method");
  if (declineCodeFor(method)) {
    const previous = core.store.update(intent, {
      status: "requires_payment_method",
      payment_method: null,
      last_setup_error: {
        code: "card_declined",
        decline_code: declineCodeFor(method),
        message: "Your card was declined.",
        type: "card_error",
      } as Stripe.SetupIntent.LastSetupError,
    });
    core.events.emit("setup_intent.setup_failed", intent, request, previous);
    throw new StripeApiError(402, "card_error", "card_declined", "Your card was declined.", undefined, {
      decline_code: declineCodeFor(method),
      setup_intent: intent,
    });
  }
  if (requiresAuthentication(method)) {
    // Saved only once the customer completes 3-D Secure in the browser, which no one does offline.
    const previous = core.store.update(intent, {
      status: "requires_action",
      payment_method: method.id,
      next_action: { type: "use_stripe_sdk", use_stripe_sdk: {} },
    } as Partial<Stripe.SetupIntent>);
    core.events.emit("setup_intent.requires_action", intent, request, previous);
    return intent;
  }
  if (typeof intent.customer === "string" && method.customer === null) {
    method = attachPaymentMethod(core, method.id, intent.customer, request);
  }
  const previous = core.store.update(intent, { status: "succeeded", payment_method: method.id });
  core.events.emit("setup_intent.succeeded", intent, request, previous);
  return intent;
}
