import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalInteger,
  optionalString,
  requireInteger,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { availableAmount, recordBalanceTransaction } from "./balance.js";

/**
 * `/v1/transfers`: money from the platform's available balance to a connected account (`transfer.created`, a
 * `transfer` balance transaction taking it off), metadata updates (`transfer.updated`), and reversals, whole or in
 * part, which bring it back (`transfer.reversed`, a `transfer_refund` balance transaction).
 */
export function transferRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Transfer>("transfer", id, "transfer");
  return [
    {
      method: "POST",
      pattern: "/v1/transfers",
      handler: ({ params, request }) => {
        const amount = requireInteger(params, "amount");
        const currency = requireString(params, "currency").toLowerCase();
        const destination = core.accounts.platform.get<Stripe.Account>(
          "account",
          requireString(params, "destination"),
          "destination",
        );
        const available = availableAmount(core, currency);
        if (amount > available) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "balance_insufficient",
            `You have insufficient available funds in your Stripe account (available: ${available} ${currency}). Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.`,
          );
        }
        const id = stripeId("tr");
        const transaction = balanceTransaction(core, id, -amount, currency, "transfer");
        const transfer = core.store.insert<Stripe.Transfer>({
          id,
          object: "transfer",
          amount,
          amount_reversed: 0,
          balance_transaction: transaction.id,
          created: core.now(),
          currency,
          description: nullableString(params, "description") ?? null,
          destination: destination.id,
          destination_payment: stripeId("py"),
          livemode: false,
          metadata: mergeMetadata(params),
          reversals: { object: "list", data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
          reversed: false,
          source_transaction: null,
          source_type: "card",
          transfer_group: optionalString(params, "transfer_group") ?? null,
        });
        core.events.emit("transfer.created", transfer, request);
        return transfer;
      },
    },
    { method: "GET", pattern: "/v1/transfers/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/transfers/:id",
      handler: ({ path, params, request }) => {
        const transfer = get(path.id as string);
        const description = nullableString(params, "description");
        const previous = core.store.update(transfer, {
          metadata: mergeMetadata(params, transfer.metadata),
          ...(description !== undefined && { description }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("transfer.updated", transfer, request, previous);
        return transfer;
      },
    },
    {
      method: "POST",
      pattern: "/v1/transfers/:id/reversals",
      handler: ({ path, params, request }) => {
        const transfer = get(path.id as string);
        const left = transfer.amount - transfer.amount_reversed;
        const amount = optionalInteger(params, "amount") ?? left;
        if (amount <= 0 || amount > left) {
          throw invalidParam("amount", `The reversal amount must be positive and at most what is left (${left}).`);
        }
        return reverseTransfer(core, transfer, amount, params, request);
      },
    },
    {
      method: "GET",
      pattern: "/v1/transfers/:id/reversals",
      handler: ({ path, params, url }) => paginate(get(path.id as string).reversals.data, params, url),
    },
    {
      method: "GET",
      pattern: "/v1/transfers",
      handler: ({ params, url }) => {
        const destination = optionalString(params, "destination");
        const inRange = createdFilter(params);
        const transfers = core.store
          .all<Stripe.Transfer>("transfer")
          .filter((each) => (destination === undefined || each.destination === destination) && inRange(each.created));
        return paginate(transfers, params, url);
      },
    },
  ];
}

function reverseTransfer(
  core: EmulatorCore,
  transfer: Stripe.Transfer,
  amount: number,
  params: Record<string, unknown>,
  request: RequestInfo,
): Stripe.TransferReversal {
  const id = stripeId("trr");
  const transaction = balanceTransaction(core, id, amount, transfer.currency, "transfer_refund");
  const reversal: Stripe.TransferReversal = {
    id,
    object: "transfer_reversal",
    amount,
    balance_transaction: transaction.id,
    created: core.now(),
    currency: transfer.currency,
    destination_payment_refund: null,
    metadata: mergeMetadata(params),
    source_refund: null,
    transfer: transfer.id,
  };
  const reversed = transfer.amount_reversed + amount;
  const previous = core.store.update(transfer, {
    amount_reversed: reversed,
    reversed: reversed === transfer.amount,
    reversals: { ...transfer.reversals, data: [reversal, ...transfer.reversals.data] },
  });
  core.events.emit("transfer.reversed", transfer, request, previous);
  return reversal;
}

/** A transfer takes from the available balance at once; its reversal puts the amount back at once. */
function balanceTransaction(
  core: EmulatorCore,
  source: string,
  amount: number,
  currency: string,
  type: "transfer" | "transfer_refund",
): Stripe.BalanceTransaction {
  return recordBalanceTransaction(core, {
    amount,
    currency,
    source,
    type,
    reportingCategory: type === "transfer" ? "transfer" : "transfer_reversal",
    status: "available",
    availableOn: core.now(),
  });
}
