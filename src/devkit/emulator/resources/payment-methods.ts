import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { paginate } from "../list.js";
import { mergeMetadata, optionalObject, optionalString, type Params, requireString, stringList } from "../params.js";
import { stripeId } from "../store.js";
import { createCustomerBalancePaymentMethod } from "./customer-balance.js";
import { cardSourceAsPaymentMethod } from "./customer-sources.js";
import { createSepaDebitPaymentMethod } from "./sepa-debit.js";

export interface TestCard {
  brand: string;
  last4: string;
  funding: string;
  /** Set for the cards Stripe documents as declined. */
  declineCode?: string;
  /** Set for the cards whose every payment asks the customer to authenticate (3-D Secure). */
  authentication?: true;
}

/** Stripe's documented test payment methods, by the names both `pm_card_*` and `tok_*` use. */
const TEST_CARDS: Record<string, TestCard> = {
  visa: { brand: "visa", last4: "4242", funding: "credit" },
  visa_debit: { brand: "visa", last4: "5556", funding: "debit" },
  mastercard: { brand: "mastercard", last4: "4444", funding: "credit" },
  amex: { brand: "amex", last4: "8431", funding: "credit" },
  chargeDeclined: { brand: "visa", last4: "0002", funding: "credit", declineCode: "generic_decline" },
  visa_chargeDeclined: { brand: "visa", last4: "0002", funding: "credit", declineCode: "generic_decline" },
  // Attaches fine, then every charge on it is declined: how Stripe tests failed subscription payments.
  chargeCustomerFail: { brand: "visa", last4: "0341", funding: "credit", declineCode: "generic_decline" },
  createDispute: { brand: "visa", last4: "0259", funding: "credit" },
  bypassPending: { brand: "visa", last4: "0077", funding: "credit" },
  authenticationRequired: { brand: "visa", last4: "3184", funding: "credit", authentication: true },
  threeDSecure2Required: { brand: "visa", last4: "3220", funding: "credit", authentication: true },
  createDisputeInquiry: { brand: "visa", last4: "1976", funding: "credit" },
  createDisputeProductNotReceived: { brand: "visa", last4: "2685", funding: "credit" },
  chargeDeclinedInsufficientFunds: {
    brand: "visa",
    last4: "9995",
    funding: "credit",
    declineCode: "insufficient_funds",
  },
};

const DECLINES = new Map(Object.values(TEST_CARDS).map((card) => [card.last4, card.declineCode]));

const AUTHENTICATING = new Set(
  Object.values(TEST_CARDS)
    .filter((card) => card.authentication)
    .map((card) => card.last4),
);

/** Whether Stripe asks for 3-D Secure on this test card before it charges or saves it. */
export function requiresAuthentication(paymentMethod: Stripe.PaymentMethod): boolean {
  return paymentMethod.card ? AUTHENTICATING.has(paymentMethod.card.last4) : false;
}

/** The decline code Stripe gives charges on this test card, if it is one of the declining ones. */
export function declineCodeFor(paymentMethod: Stripe.PaymentMethod): string | undefined {
  return paymentMethod.card ? DECLINES.get(paymentMethod.card.last4) : undefined;
}

/** The test card a `pm_card_*` or `tok_*` name stands for. */
export function testCard(token: string): TestCard | undefined {
  const name = token.replace(/^pm_card_|^tok_/, "");
  return token === name ? undefined : TEST_CARDS[name];
}

/** `allowed_payment_method_types[]` (API versions from 2026) or the older `payment_method_types[]`. */
export function namedPaymentMethodTypes(params: Params): string[] | undefined {
  return stringList(params, "allowed_payment_method_types") ?? stringList(params, "payment_method_types");
}

/**
 * `pm_card_visa` makes a fresh payment method each time it is used, as on Stripe; a real id is looked up, a
 * customer's card source (`card_...`) included.
 */
export function resolvePaymentMethod(core: EmulatorCore, idOrToken: string, param: string): Stripe.PaymentMethod {
  const card = testCard(idOrToken);
  if (card) return createCardPaymentMethod(core, card, {});
  const source = idOrToken.startsWith("card_") ? core.store.find(idOrToken) : undefined;
  if (source?.object === "card") return cardSourceAsPaymentMethod(source as unknown as Stripe.Card);
  return core.store.get<Stripe.PaymentMethod>("payment_method", idOrToken, param);
}

export function attachPaymentMethod(
  core: EmulatorCore,
  idOrToken: string,
  customerId: string,
  request: RequestInfo,
  param = "id",
): Stripe.PaymentMethod {
  core.store.get("customer", customerId, "customer");
  const paymentMethod = resolvePaymentMethod(core, idOrToken, param);
  if (paymentMethod.customer === customerId) return paymentMethod;
  if (paymentMethod.customer !== null) {
    throw invalidParam(
      param,
      "The payment method you provided has already been attached to a customer.",
      "payment_method_unexpected_state",
    );
  }
  core.store.update(paymentMethod, { customer: customerId });
  core.events.emit("payment_method.attached", paymentMethod, request);
  return paymentMethod;
}

/**
 * A payment method the customer may be charged with: a test token is made and attached on the spot; a real id
 * must already be attached to this customer, or Stripe answers 400.
 */
export function customerPaymentMethod(
  core: EmulatorCore,
  idOrToken: string,
  customerId: string,
  request: RequestInfo,
  param: string,
): Stripe.PaymentMethod {
  if (testCard(idOrToken)) return attachPaymentMethod(core, idOrToken, customerId, request, param);
  const method = core.store.get<Stripe.PaymentMethod>("payment_method", idOrToken, param);
  if (method.customer !== customerId) {
    throw invalidParam(
      param,
      `The customer does not have a payment method with the ID ${idOrToken}. The payment method must be attached to the customer.`,
      "resource_missing",
    );
  }
  return method;
}

/** `/v1/payment_methods`: card test tokens, attach/detach, update, list by customer. */
export function paymentMethodRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.PaymentMethod>("payment_method", id);
  const listFor = (customer: string | undefined, params: Params, url: string) => {
    const type = optionalString(params, "type");
    const methods = core.store
      .query<Stripe.PaymentMethod>("payment_method")
      .filter((method) => customer === undefined || method.customer === customer)
      .filter((method) => type === undefined || method.type === type);
    return paginate(methods, params, url);
  };
  return [
    { method: "POST", pattern: "/v1/payment_methods", handler: ({ params }) => createPaymentMethod(core, params) },
    { method: "GET", pattern: "/v1/payment_methods/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/payment_methods/:id",
      handler: ({ path, params, request }) => {
        const method = get(path.id as string);
        const billing = optionalObject(params, "billing_details");
        const previous = core.store.update(method, {
          metadata: mergeMetadata(params, method.metadata ?? {}),
          ...(billing && { billing_details: { ...method.billing_details, ...(billing as object) } }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("payment_method.updated", method, request, previous);
        return method;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payment_methods/:id/attach",
      handler: ({ path, params, request }) =>
        attachPaymentMethod(core, path.id as string, requireString(params, "customer"), request),
    },
    {
      method: "POST",
      pattern: "/v1/payment_methods/:id/detach",
      handler: ({ path, request }) => {
        const method = get(path.id as string);
        if (method.customer === null) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "payment_method_unexpected_state",
            "The payment method you provided is not attached to a customer so detachment is impossible.",
          );
        }
        const previous = core.store.update(method, { customer: null });
        core.events.emit("payment_method.detached", method, request, previous);
        return method;
      },
    },
    {
      method: "GET",
      pattern: "/v1/payment_methods",
      handler: ({ params, url }) => listFor(optionalString(params, "customer"), params, url),
    },
    {
      method: "GET",
      pattern: "/v1/customers/:id/payment_methods",
      handler: ({ path, params, url }) => {
        core.store.get("customer", path.id as string);
        return listFor(path.id as string, params, url);
      },
    },
  ];
}

/** `POST /v1/payment_methods`, and an intent's `payment_method_data`, which takes the same fields. */
export function createPaymentMethod(core: EmulatorCore, params: Params): Stripe.PaymentMethod {
  const type = requireString(params, "type");
  if (type === "sepa_debit") return createSepaDebitPaymentMethod(core, params);
  if (type === "customer_balance") return createCustomerBalancePaymentMethod(core, params);
  if (type !== "card") {
    throw invalidParam(
      "type",
      `The emulator supports card, sepa_debit and customer_balance payment methods, not "${type}".`,
    );
  }
  const card = optionalObject(params, "card");
  const token = card === undefined ? undefined : optionalString(card, "token");
  const number = card === undefined ? undefined : optionalString(card, "number");
  const test = token !== undefined ? testCard(token) : number !== undefined ? cardFromNumber(number) : undefined;
  if (!test) throw invalidParam("card", "Pass card[token] as a test token such as tok_visa, or a test card[number].");
  return createCardPaymentMethod(core, test, params);
}

/** `payment_method_data` makes the payment method on the spot; its errors name the parameter where it was given. */
export function paymentMethodFromData(core: EmulatorCore, data: Params): string {
  try {
    return createPaymentMethod(core, data).id;
  } catch (error) {
    if (!(error instanceof StripeApiError) || error.param === undefined) throw error;
    const head = error.param.split("[", 1)[0] as string;
    const nested = `payment_method_data[${head}]${error.param.slice(head.length)}`;
    throw new StripeApiError(
      error.status,
      error.type,
      error.code,
      error.message.replaceAll(error.param, nested),
      nested,
      error.extra,
    );
  }
}

function cardFromNumber(number: string): TestCard | undefined {
  const last4 = number.replace(/\s/g, "").slice(-4);
  return Object.values(TEST_CARDS).find((card) => card.last4 === last4);
}

function createCardPaymentMethod(core: EmulatorCore, card: TestCard, params: Params): Stripe.PaymentMethod {
  return core.store.insert<Stripe.PaymentMethod>({
    id: stripeId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: stripeId("", 16).slice(1),
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: core.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: mergeMetadata(params),
    type: "card",
  });
}
