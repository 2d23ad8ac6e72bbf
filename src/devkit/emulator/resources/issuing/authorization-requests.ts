import type Stripe from "stripe";
import type { EmulatorCore } from "../../core.js";
import type { RequestInfo } from "../../events.js";
import { stripeId } from "../../store.js";
import { spendingControlsAllow } from "./spending-controls.js";

type Authorization = Stripe.Issuing.Authorization;
type Reason = Stripe.Issuing.Authorization.RequestHistory.Reason;

/** What a card network asks for: an amount on a card, at a merchant. */
export interface AuthorizationAsk {
  card: Stripe.Issuing.Card;
  /** In the card's currency. */
  amount: number;
  merchantAmount: number;
  merchantCurrency: string;
  authorizationMethod: Stripe.Issuing.Authorization.AuthorizationMethod;
  merchantData: Stripe.Issuing.Authorization.MerchantData;
  isAmountControllable: boolean;
  verificationData: Partial<Stripe.Issuing.Authorization.VerificationData>;
  wallet: string | null;
}

/**
 * Stripe's authorization flow (docs.stripe.com/issuing/purchases/authorizations): its own checks first (card and
 * cardholder active, requirements met, spending controls); a request they refuse is declined with no
 * `issuing_authorization.request`. Otherwise the request event goes out with the authorization `pending`, not yet
 * approved, and the asked amount in `pending_request`; then the decision and `issuing_authorization.created`.
 *
 * Stripe waits up to 2 seconds for a real-time webhook's answer. The emulator delivers the request event as any
 * other, without waiting for an answer, and approves as Stripe does for an account without a real-time webhook.
 */
export function requestAuthorization(core: EmulatorCore, ask: AuthorizationAsk, request: RequestInfo): Authorization {
  const { card } = ask;
  const now = core.now();
  const authorization = core.store.insert<Authorization>({
    id: stripeId("iauth"),
    object: "issuing.authorization",
    // Nothing is authorized while the request is pending: the asked amount is in `pending_request`.
    amount: 0,
    amount_details: { atm_fee: null, cashback_amount: null },
    approved: false,
    authorization_method: ask.authorizationMethod,
    balance_transactions: [],
    card,
    card_presence: ["online", "keyed_in"].includes(ask.authorizationMethod) ? "not_present" : "present",
    cardholder: card.cardholder.id,
    created: now,
    currency: card.currency,
    fleet: null,
    fuel: null,
    livemode: false,
    merchant_amount: 0,
    merchant_currency: ask.merchantCurrency,
    merchant_data: ask.merchantData,
    metadata: {},
    network_data: null,
    pending_request: pendingRequest(ask),
    request_history: [],
    status: "pending",
    transactions: [],
    verification_data: {
      address_line1_check: "not_provided",
      address_postal_code_check: "not_provided",
      authentication_exemption: null,
      cvc_check: "not_provided",
      expiry_check: "match",
      postal_code: null,
      three_d_secure: null,
      ...ask.verificationData,
    },
    verified_by_fraud_challenge: null,
    wallet: ask.wallet,
  });
  const declined = declineReason(core, card, ask.amount, ask.merchantData.category, now);
  if (declined === undefined) core.events.emit("issuing_authorization.request", authorization, request);
  core.store.update(authorization, {
    amount: ask.amount,
    merchant_amount: ask.merchantAmount,
    approved: declined === undefined,
    pending_request: null,
    status: declined === undefined ? "pending" : "closed",
    request_history: declined === undefined ? [] : [declinedRequest(ask, declined, now)],
  });
  core.events.emit("issuing_authorization.created", authorization, request);
  return authorization;
}

/**
 * An increment of a pending authorization (a hotel stay running longer): checked as a new request for the extra
 * amount, announced with `issuing_authorization.request` when the checks pass; a declined increment is kept in
 * `request_history` and leaves the amount as it was.
 */
export function incrementAuthorization(
  core: EmulatorCore,
  authorization: Authorization,
  increment: number,
  request: RequestInfo,
): void {
  const now = core.now();
  const ask = { ...askOf(authorization), amount: increment, merchantAmount: increment };
  const { card, merchant_data } = authorization;
  const declined = declineReason(core, card, increment, merchant_data.category, now, authorization.amount);
  if (declined === undefined) {
    core.store.update(authorization, { pending_request: pendingRequest(ask) });
    core.events.emit("issuing_authorization.request", authorization, request);
  }
  const previous = core.store.update(authorization, {
    pending_request: null,
    ...(declined === undefined
      ? { amount: authorization.amount + increment, merchant_amount: authorization.merchant_amount + increment }
      : { request_history: [...authorization.request_history, declinedRequest(ask, declined, now)] }),
  });
  core.events.emit("issuing_authorization.updated", authorization, request, previous);
}

/** Why Stripe declines before asking anyone, or undefined when its checks pass. */
function declineReason(
  core: EmulatorCore,
  card: Stripe.Issuing.Card,
  amount: number,
  category: string,
  now: number,
  held = 0,
): Reason | undefined {
  const cardholder = card.cardholder;
  if (card.status === "canceled") return "card_canceled";
  if (card.status !== "active") return "card_inactive";
  const date = new Date(now * 1000);
  const expired = card.exp_year * 12 + card.exp_month < date.getUTCFullYear() * 12 + date.getUTCMonth() + 1;
  if (expired) return "card_expired";
  if (cardholder.status === "blocked") return "cardholder_blocked";
  if (cardholder.status !== "active") return "cardholder_inactive";
  if ((cardholder.requirements.past_due ?? []).length > 0) return "cardholder_verification_required";
  const approved = core.store
    .all<Authorization>("issuing.authorization")
    .filter((authorization) => authorization.approved && authorization.status !== "reversed");
  const spent = (onCard: (authorization: Authorization) => boolean) => (since: number) =>
    approved
      .filter((authorization) => onCard(authorization) && authorization.created >= since)
      .reduce((sum, authorization) => sum + authorization.amount, 0);
  const allowed =
    spendingControlsAllow(
      card.spending_controls,
      amount,
      category,
      spent((auth) => auth.card.id === card.id),
      now,
      held,
    ) &&
    spendingControlsAllow(
      cardholder.spending_controls,
      amount,
      category,
      spent((auth) => auth.cardholder === cardholder.id),
      now,
      held,
    );
  return allowed ? undefined : "spending_controls";
}

function pendingRequest(ask: AuthorizationAsk): Stripe.Issuing.Authorization.PendingRequest {
  return {
    amount: ask.amount,
    amount_details: { atm_fee: null, cashback_amount: null },
    currency: ask.card.currency,
    is_amount_controllable: ask.isAmountControllable,
    merchant_amount: ask.merchantAmount,
    merchant_currency: ask.merchantCurrency,
    network_risk_score: null,
  };
}

/**
 * A declined request as `request_history` keeps it. An approval needs no entry here: with no real-time webhook
 * answering, nobody but Stripe's checks decided, and the authorization's `approved` says the rest.
 */
function declinedRequest(
  ask: AuthorizationAsk,
  reason: Reason,
  now: number,
): Stripe.Issuing.Authorization.RequestHistory {
  return {
    amount: ask.amount,
    amount_details: { atm_fee: null, cashback_amount: null },
    approved: false,
    authorization_code: null,
    created: now,
    currency: ask.card.currency,
    merchant_amount: ask.merchantAmount,
    merchant_currency: ask.merchantCurrency,
    network_risk_score: null,
    reason,
    reason_message: null,
    requested_at: now,
  };
}

function askOf(authorization: Authorization): AuthorizationAsk {
  return {
    card: authorization.card,
    amount: authorization.amount,
    merchantAmount: authorization.merchant_amount,
    merchantCurrency: authorization.merchant_currency,
    authorizationMethod: authorization.authorization_method,
    merchantData: authorization.merchant_data,
    isAmountControllable: false,
    verificationData: {},
    wallet: authorization.wallet,
  };
}
