import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { optionalString } from "../params.js";
import { type StripeObject, stripeId } from "../store.js";

/** Stripe's test card whose charges skip the pending balance (`pm_card_bypassPending`, 4000 0000 0000 0077). */
const AVAILABLE_AT_ONCE_LAST4 = "0077";

/**
 * `/v1/balance` and `/v1/balance_transactions`: the account's balance is the sum of its balance transactions' net
 * amounts, `pending` until they are `available`.
 */
export function balanceRoutes(core: EmulatorCore): Route[] {
  return [
    { method: "GET", pattern: "/v1/balance", handler: () => accountBalance(core) },
    {
      method: "GET",
      pattern: "/v1/balance_transactions/:id",
      handler: ({ path }) => core.store.get<Stripe.BalanceTransaction>("balance_transaction", path.id as string),
    },
    {
      method: "GET",
      pattern: "/v1/balance_transactions",
      handler: ({ params, url }) => {
        const type = optionalString(params, "type");
        const source = optionalString(params, "source");
        const inRange = createdFilter(params);
        const transactions = core.store
          .all<Stripe.BalanceTransaction>("balance_transaction")
          .filter((transaction) => (type === undefined || transaction.type === type) && inRange(transaction.created))
          .filter((transaction) => source === undefined || transaction.source === source);
        return paginate(transactions, params, url);
      },
    },
  ];
}

export function accountBalance(core: EmulatorCore): Stripe.Balance {
  const totals = (status: string) => {
    const byCurrency = new Map<string, number>();
    for (const transaction of core.store.all<Stripe.BalanceTransaction>("balance_transaction")) {
      if (transaction.status !== status) continue;
      byCurrency.set(transaction.currency, (byCurrency.get(transaction.currency) ?? 0) + transaction.net);
    }
    if (byCurrency.size === 0) byCurrency.set("usd", 0);
    return [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  };
  return { object: "balance", available: totals("available"), livemode: false, pending: totals("pending") };
}

/** What a balance transaction records of money that moved; its net is the amount less its fees. */
export interface BalanceEntry {
  amount: number;
  currency: string;
  /** The object that moved the money (`ch_`, `po_`, `tu_`, `tr_`...). */
  source: string;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
  status: "available" | "pending";
  availableOn: number;
  description?: string | null | undefined;
  feeDetails?: Stripe.BalanceTransaction.FeeDetail[];
}

/** Writes the balance transaction of `entry`; the account's balance is their sum. */
export function recordBalanceTransaction(core: EmulatorCore, entry: BalanceEntry): Stripe.BalanceTransaction {
  const feeDetails = entry.feeDetails ?? [];
  const fee = feeDetails.reduce((sum, detail) => sum + detail.amount, 0);
  return core.store.insert<Stripe.BalanceTransaction>({
    id: stripeId("txn"),
    object: "balance_transaction",
    amount: entry.amount,
    available_on: entry.availableOn,
    balance_type: "payments",
    created: core.now(),
    currency: entry.currency,
    description: entry.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: feeDetails,
    net: entry.amount - fee,
    reporting_category: entry.reportingCategory,
    source: entry.source,
    status: entry.status,
    type: entry.type,
  });
}

/** What is available in `currency` now. */
export function availableAmount(core: EmulatorCore, currency: string): number {
  return accountBalance(core).available.find((entry) => entry.currency === currency)?.amount ?? 0;
}

/** A charge on the bypass-pending test card is available at once, and Stripe says so with `balance.available`. */
export function settleAtOnceIfTestCard(
  core: EmulatorCore,
  charge: Stripe.Charge,
  transaction: Stripe.BalanceTransaction,
  request: RequestInfo,
): void {
  if (charge.payment_method_details?.card?.last4 !== AVAILABLE_AT_ONCE_LAST4) return;
  core.store.update(transaction, { status: "available", available_on: core.now() });
  // The balance is the one Stripe object without an id; the event carries it as it is.
  core.events.emit("balance.available", accountBalance(core) as unknown as StripeObject, request);
}
