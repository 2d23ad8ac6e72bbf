import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalString, requireInteger, requireString } from "../params.js";
import { stripeId } from "../store.js";
import { availableAmount, type BalanceEntry, recordBalanceTransaction } from "./balance.js";

const DAY = 86_400;

/**
 * `/v1/payouts`: money from the available balance to the account's bank (`payout.created`, status `pending`, a
 * `payout` balance transaction taking the amount off); metadata updates (`payout.updated`); cancel while pending.
 * The emulator keeps a payout `pending`: it never arrives, as no bank stands behind it.
 */
export function payoutRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Payout>("payout", id);
  return [
    {
      method: "POST",
      pattern: "/v1/payouts",
      handler: ({ params, request }) => {
        const amount = requireInteger(params, "amount");
        const currency = requireString(params, "currency").toLowerCase();
        const available = availableAmount(core, currency);
        if (amount > available) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "balance_insufficient",
            `You have insufficient funds in your Stripe account for this transfer. Your card balance is too low. You can use the /v1/balance endpoint to view your Stripe balance (available: ${available} ${currency}).`,
          );
        }
        const now = core.now();
        const id = stripeId("po");
        const transaction = recordBalanceTransaction(core, {
          amount: -amount,
          currency,
          source: id,
          type: "payout",
          reportingCategory: "payout",
          status: "available",
          availableOn: now,
          description: nullableString(params, "description"),
        });
        const payout = core.store.insert<Stripe.Payout>({
          id,
          object: "payout",
          amount,
          application_fee: null,
          application_fee_amount: null,
          arrival_date: now + 2 * DAY,
          automatic: false,
          balance_transaction: transaction.id,
          created: now,
          currency,
          description: nullableString(params, "description") ?? null,
          destination: null,
          failure_balance_transaction: null,
          failure_code: null,
          failure_message: null,
          livemode: false,
          metadata: mergeMetadata(params),
          method: optionalString(params, "method") ?? "standard",
          original_payout: null,
          payout_method: null,
          reconciliation_status: "not_applicable",
          reversed_by: null,
          source_type: optionalString(params, "source_type") ?? "card",
          statement_descriptor: optionalString(params, "statement_descriptor") ?? null,
          status: "pending",
          trace_id: null,
          type: "bank_account",
        });
        core.events.emit("payout.created", payout, request);
        return payout;
      },
    },
    { method: "GET", pattern: "/v1/payouts/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/payouts/:id",
      handler: ({ path, params, request }) => {
        const payout = get(path.id as string);
        const previous = core.store.update(payout, { metadata: mergeMetadata(params, payout.metadata ?? {}) });
        if (Object.keys(previous).length > 0) core.events.emit("payout.updated", payout, request, previous);
        return payout;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payouts/:id/cancel",
      handler: ({ path, request }) => {
        const payout = get(path.id as string);
        if (payout.status !== "pending") {
          throw new StripeApiError(400, "invalid_request_error", "", `Payouts can only be canceled while pending.`);
        }
        const transaction = core.store.get<Stripe.BalanceTransaction>(
          "balance_transaction",
          payout.balance_transaction as string,
        );
        // The amount comes back to the balance with a transaction of its own.
        const back = recordBalanceTransaction(core, {
          amount: payout.amount,
          currency: transaction.currency,
          source: transaction.source as string,
          type: "payout_cancel",
          reportingCategory: "payout_reversal",
          status: transaction.status as BalanceEntry["status"],
          availableOn: transaction.available_on,
          description: transaction.description,
        });
        const previous = core.store.update(payout, { status: "canceled", failure_balance_transaction: back.id });
        core.events.emit("payout.canceled", payout, request, previous);
        return payout;
      },
    },
    {
      method: "GET",
      pattern: "/v1/payouts",
      handler: ({ params, url }) => {
        const status = optionalString(params, "status");
        const inRange = createdFilter(params);
        const payouts = core.store
          .all<Stripe.Payout>("payout")
          .filter((payout) => (status === undefined || payout.status === status) && inRange(payout.created));
        return paginate(payouts, params, url);
      },
    },
  ];
}
