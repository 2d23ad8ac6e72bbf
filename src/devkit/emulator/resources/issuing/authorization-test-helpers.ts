import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { missingParam, StripeApiError } from "../../errors.js";
import {
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireInteger,
  requireString,
} from "../../params.js";
import { type AuthorizationAsk, incrementAuthorization, requestAuthorization } from "./authorization-requests.js";
import { issuingAuthorization } from "./authorizations.js";
import { issuingCard } from "./cards.js";
import { merchantDataFrom } from "./merchant-data.js";
import { recordTransaction } from "./transactions.js";

/**
 * `/v1/test_helpers/issuing/authorizations`: what a card network would do in live mode. Create asks for an
 * authorization (Stripe's flow, in `requestAuthorization`); capture turns it into a transaction and closes it;
 * increment, reverse and expire change a pending one. Also the CLI's older `/v1/issuing/cards/:id/test/authorizations`,
 * which `stripe trigger issuing_authorization.request` still calls, with `held_amount` and `held_currency`.
 */
export function authorizationTestHelperRoutes(core: EmulatorCore): Route[] {
  const pending = (id: string, action: string) => {
    const authorization = issuingAuthorization(core, id);
    if (authorization.status !== "pending") {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        "",
        `Only a pending authorization can be ${action}; this one is ${authorization.status}.`,
      );
    }
    return authorization;
  };
  return [
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/authorizations",
      handler: ({ params, request }) => {
        const card = issuingCard(core, requireString(params, "card"), "card");
        const merchantAmount = optionalInteger(params, "merchant_amount");
        const amount = optionalInteger(params, "amount") ?? merchantAmount;
        if (amount === undefined) throw missingParam("amount");
        return requestAuthorization(
          core,
          askFor(card, params, amount, merchantAmount ?? amount, optionalString(params, "merchant_currency")),
          request,
        );
      },
    },
    {
      method: "POST",
      pattern: "/v1/issuing/cards/:id/test/authorizations",
      handler: ({ path, params, request }) => {
        const card = issuingCard(core, path.id as string);
        const amount = requireInteger(params, "held_amount");
        return requestAuthorization(
          core,
          askFor(card, params, amount, amount, optionalString(params, "held_currency")),
          request,
        );
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/authorizations/:id/capture",
      handler: ({ path, params, request }) => {
        const authorization = pending(path.id as string, "captured");
        if (!authorization.approved) {
          throw new StripeApiError(400, "invalid_request_error", "", "A declined authorization cannot be captured.");
        }
        const amount = optionalInteger(params, "capture_amount") ?? authorization.amount;
        const transaction = recordTransaction(
          core,
          {
            card: authorization.card,
            authorization: authorization.id,
            type: "capture",
            amount,
            merchantCurrency: authorization.merchant_currency,
            merchantData: authorization.merchant_data,
            purchaseDetails: optionalObject(params, "purchase_details"),
          },
          request,
        );
        const close = optionalBoolean(params, "close_authorization") ?? true;
        const previous = core.store.update(authorization, {
          transactions: [...authorization.transactions, transaction],
          ...(close && { status: "closed" as const }),
        });
        core.events.emit("issuing_authorization.updated", authorization, request, previous);
        return authorization;
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/authorizations/:id/increment",
      handler: ({ path, params, request }) => {
        const authorization = pending(path.id as string, "incremented");
        incrementAuthorization(core, authorization, requireInteger(params, "increment_amount"), request);
        return authorization;
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/authorizations/:id/reverse",
      handler: ({ path, params, request }) => {
        const authorization = pending(path.id as string, "reversed");
        const reverse = optionalInteger(params, "reverse_amount") ?? authorization.amount;
        if (reverse <= 0 || reverse > authorization.amount) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "",
            `The reverse amount must be between 1 and the authorization's amount, ${authorization.amount}.`,
            "reverse_amount",
          );
        }
        const left = authorization.amount - reverse;
        const previous = core.store.update(authorization, {
          amount: left,
          merchant_amount: Math.max(0, authorization.merchant_amount - reverse),
          ...(left === 0 && { status: "reversed" as const }),
        });
        core.events.emit("issuing_authorization.updated", authorization, request, previous);
        return authorization;
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/authorizations/:id/expire",
      handler: ({ path, request }) => {
        const authorization = pending(path.id as string, "expired");
        const previous = core.store.update(authorization, { status: "expired" });
        core.events.emit("issuing_authorization.updated", authorization, request, previous);
        return authorization;
      },
    },
  ];
}

function askFor(
  card: Stripe.Issuing.Card,
  params: Params,
  amount: number,
  merchantAmount: number,
  merchantCurrency: string | undefined,
): AuthorizationAsk {
  const verification = optionalObject(params, "verification_data") ?? {};
  const checks = ["address_line1_check", "address_postal_code_check", "cvc_check", "expiry_check"] as const;
  const verificationData: Partial<Stripe.Issuing.Authorization.VerificationData> = {};
  for (const check of checks) {
    if (typeof verification[check] === "string") verificationData[check] = verification[check] as "match";
  }
  return {
    card,
    amount,
    merchantAmount,
    merchantCurrency: (merchantCurrency ?? optionalString(params, "currency") ?? card.currency).toLowerCase(),
    authorizationMethod: (optionalString(params, "authorization_method") ??
      "online") as Stripe.Issuing.Authorization.AuthorizationMethod,
    merchantData: merchantDataFrom(optionalObject(params, "merchant_data")),
    isAmountControllable: optionalBoolean(params, "is_amount_controllable") ?? false,
    verificationData,
    wallet: optionalString(params, "wallet") ?? null,
  };
}
