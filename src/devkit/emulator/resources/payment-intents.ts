import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, unexpectedState } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireString,
  stringList,
} from "../params.js";
import { stripeId } from "../store.js";
import { captureCharge, cardDeclined, createCharge, requirePaymentAmount, settleCharge } from "./charges.js";
import { confirmCustomerBalancePayment, customerBalanceOptions } from "./customer-balance.js";
import {
  attachPaymentMethod,
  namedPaymentMethodTypes,
  paymentMethodFromData,
  requiresAuthentication,
  resolvePaymentMethod,
} from "./payment-methods.js";
import { confirmSepaDebitPayment } from "./sepa-debit.js";

const CANCELABLE = new Set([
  "requires_payment_method",
  "requires_capture",
  "requires_confirmation",
  "requires_action",
  "processing",
]);

/** `/v1/payment_intents`: create (optionally confirming), confirm, capture, cancel, update, list. */
export function paymentIntentRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.PaymentIntent>("payment_intent", id, "intent");
  return [
    {
      method: "POST",
      pattern: "/v1/payment_intents",
      handler: ({ params, request }) => createPaymentIntent(core, params, request),
    },
    { method: "GET", pattern: "/v1/payment_intents/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:id",
      handler: ({ path, params }) => {
        const intent = get(path.id as string);
        const amount = optionalInteger(params, "amount");
        const description = nullableString(params, "description");
        const paymentMethod = optionalString(params, "payment_method");
        core.store.update(intent, {
          metadata: mergeMetadata(params, intent.metadata),
          ...(amount !== undefined && { amount }),
          ...(description !== undefined && { description }),
          ...(paymentMethod !== undefined && {
            payment_method: resolvePaymentMethod(core, paymentMethod, "payment_method").id,
          }),
        });
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:id/confirm",
      handler: ({ path, params, request }) => confirmPaymentIntent(core, get(path.id as string), params, request),
    },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:id/capture",
      handler: ({ path, params, request }) => {
        const intent = get(path.id as string);
        if (intent.status !== "requires_capture") {
          throw unexpectedState(
            `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
          );
        }
        const amount = optionalInteger(params, "amount_to_capture") ?? intent.amount_capturable;
        if (amount > intent.amount_capturable)
          throw invalidParam("amount_to_capture", "The amount to capture cannot exceed the capturable amount.");
        const charge = core.store.get<Stripe.Charge>("charge", intent.latest_charge as string);
        captureCharge(core, charge, amount, request);
        const previous = core.store.update(intent, {
          status: "succeeded",
          amount_received: amount,
          amount_capturable: 0,
        });
        core.events.emit("payment_intent.succeeded", intent, request, previous);
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:id/cancel",
      handler: ({ path, params, request }) => {
        const intent = get(path.id as string);
        if (!CANCELABLE.has(intent.status)) {
          throw unexpectedState(
            `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${[...CANCELABLE].join(", ")}.`,
          );
        }
        const reason = optionalString(params, "cancellation_reason") as
          | Stripe.PaymentIntent.CancellationReason
          | undefined;
        const previous = core.store.update(intent, {
          status: "canceled",
          canceled_at: core.now(),
          cancellation_reason: reason ?? null,
          amount_capturable: 0,
        });
        core.events.emit("payment_intent.canceled", intent, request, previous);
        return intent;
      },
    },
    {
      method: "GET",
      pattern: "/v1/payment_intents",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const inRange = createdFilter(params);
        const intents = core.store
          .query<Stripe.PaymentIntent>("payment_intent")
          .filter((intent) => (customer === undefined || intent.customer === customer) && inRange(intent.created));
        return paginate(intents, params, url);
      },
    },
  ];
}

export function createPaymentIntent(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.PaymentIntent {
  const amount = requirePaymentAmount(params);
  const currency = requireString(params, "currency").toLowerCase();
  const customer = optionalString(params, "customer") ?? null;
  if (customer !== null) core.store.get("customer", customer, "customer");
  const methodData = optionalObject(params, "payment_method_data");
  const paymentMethod =
    optionalString(params, "payment_method") ?? (methodData && paymentMethodFromData(core, methodData));
  const id = stripeId("pi");
  const intent = core.store.insert<Stripe.PaymentIntent>({
    id,
    object: "payment_intent",
    allowed_payment_method_types:
      (stringList(params, "allowed_payment_method_types") as
        | Stripe.PaymentIntent.AllowedPaymentMethodType[]
        | undefined) ?? null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    // Naming the payment method types opts out of automatic payment methods, as on Stripe.
    automatic_payment_methods: namedPaymentMethodTypes(params) ? null : { allow_redirects: "always", enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method:
      (optionalString(params, "capture_method") as Stripe.PaymentIntent.CaptureMethod | undefined) ?? "automatic_async",
    client_secret: `${id}_secret_${stripeId("", 25).slice(1)}`,
    confirmation_method: "automatic",
    created: core.now(),
    currency,
    customer,
    customer_account: null,
    description: nullableString(params, "description") ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: mergeMetadata(params),
    next_action: null,
    on_behalf_of: null,
    payment_method: paymentMethod === undefined ? null : resolvePaymentMethod(core, paymentMethod, "payment_method").id,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
      ...customerBalanceOptions(params),
    },
    payment_method_types: namedPaymentMethodTypes(params) ?? ["card"],
    payment_record: null,
    processing: null,
    receipt_email: nullableString(params, "receipt_email") ?? null,
    review: null,
    setup_future_usage:
      (optionalString(params, "setup_future_usage") as Stripe.PaymentIntent.SetupFutureUsage | undefined) ?? null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: paymentMethod === undefined ? "requires_payment_method" : "requires_confirmation",
    transfer_group: null,
  });
  core.events.emit("payment_intent.created", intent, request);
  // The intent's payment method is already resolved; of the rest, confirming takes only the mandate. Its answer is
  // the intent as it was then: a bank debit is still `processing` there.
  const mandate = params.mandate_data === undefined ? {} : { mandate_data: params.mandate_data };
  if (optionalBoolean(params, "confirm")) return confirmPaymentIntent(core, intent, mandate, request);
  return intent;
}

/**
 * Charges the payment method. Stripe's sequence for a card that succeeds: `charge.succeeded`,
 * `payment_intent.succeeded`, then `charge.updated` once the balance transaction is attached.
 */
export function confirmPaymentIntent(
  core: EmulatorCore,
  intent: Stripe.PaymentIntent,
  params: Params,
  request: RequestInfo,
): Stripe.PaymentIntent {
  if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation") {
    throw unexpectedState(`You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`);
  }
  const given = optionalString(params, "payment_method");
  const methodId = given ?? (typeof intent.payment_method === "string" ? intent.payment_method : undefined);
  if (methodId === undefined) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method.",
    );
  }
  let method = resolvePaymentMethod(core, methodId, "payment_method");
  if (intent.setup_future_usage && typeof intent.customer === "string" && method.customer === null) {
    method = attachPaymentMethod(core, method.id, intent.customer, request);
  }
  if (method.type === "customer_balance") return confirmCustomerBalancePayment(core, intent, method, request);
  if (method.type === "sepa_debit") return confirmSepaDebitPayment(core, intent, method, params, request);
  if (requiresAuthentication(method)) {
    // Stripe charges nothing until the customer completes 3-D Secure in the browser, which no one does offline.
    const previous = core.store.update(intent, {
      payment_method: method.id,
      status: "requires_action",
      next_action: { type: "use_stripe_sdk", use_stripe_sdk: {} },
    } as Partial<Stripe.PaymentIntent>);
    core.events.emit("payment_intent.requires_action", intent, request, previous);
    return intent;
  }
  const manual = intent.capture_method === "manual";
  const charge = createCharge(
    core,
    {
      amount: intent.amount,
      currency: intent.currency,
      customer: typeof intent.customer === "string" ? intent.customer : null,
      paymentMethod: method,
      paymentIntent: intent.id,
      capture: !manual,
      description: intent.description,
      metadata: intent.metadata,
    },
    request,
  );
  if (charge.status === "failed") {
    const previous = core.store.update(intent, {
      payment_method: null,
      latest_charge: charge.id,
      status: "requires_payment_method",
      last_payment_error: {
        charge: charge.id,
        code: "card_declined",
        decline_code: charge.outcome?.reason ?? "generic_decline",
        message: "Your card was declined.",
        payment_method: method,
        type: "card_error",
      } as Stripe.PaymentIntent.LastPaymentError,
    });
    core.events.emit("payment_intent.payment_failed", intent, request, previous);
    throw cardDeclined(charge, intent);
  }
  const previous = core.store.update(intent, {
    payment_method: method.id,
    latest_charge: charge.id,
    status: manual ? "requires_capture" : "succeeded",
    amount_received: manual ? 0 : intent.amount,
    amount_capturable: manual ? intent.amount : 0,
  });
  core.events.emit(
    manual ? "payment_intent.amount_capturable_updated" : "payment_intent.succeeded",
    intent,
    request,
    previous,
  );
  if (!manual) settleCharge(core, charge, request);
  return intent;
}
