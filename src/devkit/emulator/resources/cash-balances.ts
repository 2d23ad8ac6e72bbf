import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, noSuch } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { optionalObject, optionalString, type Params, requireInteger, requireString } from "../params.js";
import { type StripeObject, stripeId } from "../store.js";
import { applyCashToWaitingPayments } from "./customer-balance.js";

const SETTINGS = "emulator.cash_balance_settings";

/** A customer's reconciliation mode, the one part of a cash balance its transactions do not tell. */
interface CashBalanceSettings extends StripeObject {
  object: typeof SETTINGS;
  reconciliation_mode: "automatic" | "manual";
}

/** The bank transfer a test funding arrives by: the one Stripe offers in that currency. */
const TRANSFER_TYPE_BY_CURRENCY: Record<string, Stripe.CustomerCashBalanceTransaction.Funded.BankTransfer.Type> = {
  eur: "eu_bank_transfer",
  gbp: "gb_bank_transfer",
  jpy: "jp_bank_transfer",
  mxn: "mx_bank_transfer",
  usd: "us_bank_transfer",
};

/**
 * A customer's cash balance (`/v1/customers/:id/cash_balance`), its transactions, and the test helper that funds
 * it as a bank transfer would. The balance is what its transactions leave: each records its `ending_balance`.
 */
export function cashBalanceRoutes(core: EmulatorCore): Route[] {
  const customerOf = (id: string) => core.store.get<Stripe.Customer>("customer", id, "customer").id;
  return [
    {
      method: "GET",
      pattern: "/v1/customers/:id/cash_balance",
      handler: ({ path }) => cashBalance(core, customerOf(path.id as string)),
    },
    {
      method: "POST",
      pattern: "/v1/customers/:id/cash_balance",
      handler: ({ path, params }) => {
        const customer = customerOf(path.id as string);
        const settings = optionalObject(params, "settings");
        const mode = settings && optionalString(settings, "reconciliation_mode");
        if (mode !== undefined) {
          // `merchant_default` is the account's setting, which is automatic reconciliation.
          const reconciliation = mode === "manual" ? "manual" : "automatic";
          const stored = core.store.find(settingsId(customer)) as CashBalanceSettings | undefined;
          if (stored) core.store.update(stored, { reconciliation_mode: reconciliation });
          else
            core.store.insert<CashBalanceSettings>({
              id: settingsId(customer),
              object: SETTINGS,
              reconciliation_mode: reconciliation,
            });
        }
        return cashBalance(core, customer);
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:id/cash_balance_transactions",
      handler: ({ path, params, url }) => {
        const customer = customerOf(path.id as string);
        const inRange = createdFilter(params);
        const transactions = core.store
          .query<Stripe.CustomerCashBalanceTransaction>("customer_cash_balance_transaction")
          .filter((transaction) => transaction.customer === customer && inRange(transaction.created));
        return paginate(transactions, params, url);
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:customer/cash_balance_transactions/:id",
      handler: ({ path }) => {
        const customer = customerOf(path.customer as string);
        const transaction = core.store.get<Stripe.CustomerCashBalanceTransaction>(
          "customer_cash_balance_transaction",
          path.id as string,
          "transaction",
        );
        if (transaction.customer !== customer) {
          throw noSuch("customer cash balance transaction", transaction.id, "transaction");
        }
        return transaction;
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/customers/:id/fund_cash_balance",
      handler: ({ path, params, request }) => fundCashBalance(core, customerOf(path.id as string), params, request),
    },
  ];
}

/**
 * An incoming bank transfer: a `funded` transaction, then, under automatic reconciliation, the money applied to the
 * customer's payments waiting for it, oldest first; `cash_balance.funds_available` if any is left over.
 */
function fundCashBalance(
  core: EmulatorCore,
  customer: string,
  params: Params,
  request: RequestInfo,
): Stripe.CustomerCashBalanceTransaction {
  const amount = requireInteger(params, "amount");
  if (amount <= 0) throw invalidParam("amount", "The amount must be a positive integer.");
  const currency = requireString(params, "currency").toLowerCase();
  const transferType = TRANSFER_TYPE_BY_CURRENCY[currency];
  if (!transferType) {
    throw invalidParam(
      "currency",
      `Cash balances support only ${Object.keys(TRANSFER_TYPE_BY_CURRENCY).join(", ")}, not ${currency}.`,
    );
  }
  const funded = recordCashTransaction(
    core,
    customer,
    currency,
    amount,
    {
      type: "funded",
      funded: {
        bank_transfer: {
          reference: optionalString(params, "reference") ?? stripeId("REF", 10).replace("_", ""),
          type: transferType,
        },
      },
    },
    request,
  );
  if (reconciliationMode(core, customer) === "automatic") applyCashToWaitingPayments(core, customer, currency, request);
  if (cashAvailable(core, customer, currency) > 0) {
    // The balance is, like the account's, an object without an id; the event carries it as it is.
    core.events.emit("cash_balance.funds_available", cashBalance(core, customer) as unknown as StripeObject, request);
  }
  return funded;
}

/** Adds a transaction of `netAmount` to the customer's cash balance in `currency`, with its event. */
export function recordCashTransaction(
  core: EmulatorCore,
  customer: string,
  currency: string,
  netAmount: number,
  kind: Partial<Stripe.CustomerCashBalanceTransaction> & { type: Stripe.CustomerCashBalanceTransaction.Type },
  request: RequestInfo,
): Stripe.CustomerCashBalanceTransaction {
  const transaction = core.store.insert<Stripe.CustomerCashBalanceTransaction>({
    id: stripeId("ccsbtxn"),
    object: "customer_cash_balance_transaction",
    created: core.now(),
    currency,
    customer,
    customer_account: null,
    ending_balance: cashAvailable(core, customer, currency) + netAmount,
    livemode: false,
    net_amount: netAmount,
    ...kind,
  });
  core.events.emit("customer_cash_balance_transaction.created", transaction, request);
  return transaction;
}

/** What the customer holds in `currency`: the ending balance of their latest transaction in it. */
export function cashAvailable(core: EmulatorCore, customer: string, currency: string): number {
  for (const transaction of core.store.newestFirst<Stripe.CustomerCashBalanceTransaction>(
    "customer_cash_balance_transaction",
  )) {
    if (transaction.customer === customer && transaction.currency === currency) return transaction.ending_balance;
  }
  return 0;
}

function cashBalance(core: EmulatorCore, customer: string): Stripe.CashBalance {
  const available: Record<string, number> = {};
  for (const transaction of core.store.newestFirst<Stripe.CustomerCashBalanceTransaction>(
    "customer_cash_balance_transaction",
  )) {
    if (transaction.customer === customer && !(transaction.currency in available)) {
      available[transaction.currency] = transaction.ending_balance;
    }
  }
  const mode = reconciliationMode(core, customer);
  return {
    object: "cash_balance",
    // Stripe shows null until the customer has held money in some currency.
    available: Object.keys(available).length === 0 ? null : available,
    customer,
    customer_account: null,
    livemode: false,
    settings: {
      reconciliation_mode: mode,
      using_merchant_default: core.store.find(settingsId(customer)) === undefined,
    },
  };
}

function reconciliationMode(core: EmulatorCore, customer: string): "automatic" | "manual" {
  return (core.store.find(settingsId(customer)) as CashBalanceSettings | undefined)?.reconciliation_mode ?? "automatic";
}

function settingsId(customer: string): string {
  return `${customer}:cash_balance_settings`;
}
