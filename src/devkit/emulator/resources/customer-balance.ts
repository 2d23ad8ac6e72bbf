import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { mergeMetadata, optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import { cashAvailable, recordCashTransaction } from "./cash-balances.js";
import { createCharge, settleCharge } from "./charges.js";

type DisplayBankTransferInstructions = Stripe.PaymentIntent.NextAction.DisplayBankTransferInstructions;

/** A `customer_balance` payment method: the customer pays from their cash balance, funded by bank transfer. */
export function createCustomerBalancePaymentMethod(core: EmulatorCore, params: Params): Stripe.PaymentMethod {
  return core.store.insert<Stripe.PaymentMethod>({
    id: stripeId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    created: core.now(),
    customer: null,
    customer_account: null,
    customer_balance: {},
    livemode: false,
    metadata: mergeMetadata(params),
    type: "customer_balance",
  });
}

/** `payment_method_options[customer_balance]` as the intent shows it, when the request set it. */
export function customerBalanceOptions(params: Params): Stripe.PaymentIntent.PaymentMethodOptions | undefined {
  const options = optionalObject(params, "payment_method_options");
  const given = options && optionalObject(options, "customer_balance");
  if (!given) return undefined;
  const bankTransfer = optionalObject(given, "bank_transfer");
  const type = bankTransfer && optionalString(bankTransfer, "type");
  return {
    customer_balance: {
      ...(type !== undefined && {
        bank_transfer: { type } as Stripe.PaymentIntent.PaymentMethodOptions.CustomerBalance.BankTransfer,
      }),
      funding_type: (optionalString(given, "funding_type") as "bank_transfer" | undefined) ?? null,
      setup_future_usage: "none",
    },
  };
}

/**
 * Confirming with the cash balance: the intent waits (`requires_action`) with the bank transfer instructions, and
 * takes what the balance already holds at once. Stripe needs the customer and the bank transfer type to say where
 * to send the money.
 */
export function confirmCustomerBalancePayment(
  core: EmulatorCore,
  intent: Stripe.PaymentIntent,
  method: Stripe.PaymentMethod,
  request: RequestInfo,
): Stripe.PaymentIntent {
  if (typeof intent.customer !== "string") {
    throw invalidParam(
      "customer",
      "A customer is required to pay a PaymentIntent with the customer_balance payment method.",
    );
  }
  const transferType = intent.payment_method_options?.customer_balance?.bank_transfer?.type;
  if (!transferType) throw missingParam("payment_method_options[customer_balance][bank_transfer][type]");
  const instructions: DisplayBankTransferInstructions = {
    amount_remaining: intent.amount,
    currency: intent.currency,
    hosted_instructions_url: null,
    reference: stripeId("", 10).slice(1).toUpperCase(),
    type: transferType,
  };
  const previous = core.store.update(intent, {
    payment_method: method.id,
    status: "requires_action",
    next_action: { type: "display_bank_transfer_instructions", display_bank_transfer_instructions: instructions },
  });
  core.events.emit("payment_intent.requires_action", intent, request, previous);
  applyCashToWaitingPayments(core, intent.customer, intent.currency, request);
  return intent;
}

/**
 * Automatic reconciliation: the customer's cash in `currency` goes to their intents waiting for a bank transfer,
 * oldest first. An intent paid in full succeeds; one paid in part says what remains (`payment_intent.partially_funded`).
 */
export function applyCashToWaitingPayments(
  core: EmulatorCore,
  customer: string,
  currency: string,
  request: RequestInfo,
): void {
  const waiting = core.store
    .all<Stripe.PaymentIntent>("payment_intent")
    .filter(
      (intent) =>
        intent.customer === customer &&
        intent.currency === currency &&
        intent.status === "requires_action" &&
        intent.next_action?.type === "display_bank_transfer_instructions",
    )
    .reverse();
  for (const intent of waiting) {
    const cash = cashAvailable(core, customer, currency);
    if (cash <= 0) return;
    const instructions = intent.next_action?.display_bank_transfer_instructions as DisplayBankTransferInstructions;
    const remaining = instructions.amount_remaining ?? intent.amount;
    const applied = Math.min(cash, remaining);
    recordCashTransaction(
      core,
      customer,
      currency,
      -applied,
      { type: "applied_to_payment", applied_to_payment: { payment_intent: intent.id } },
      request,
    );
    if (applied === remaining) payFromCashBalance(core, intent, request);
    else {
      const previous = core.store.update(intent, {
        next_action: {
          type: "display_bank_transfer_instructions",
          display_bank_transfer_instructions: { ...instructions, amount_remaining: remaining - applied },
        },
      });
      core.events.emit("payment_intent.partially_funded", intent, request, previous);
    }
  }
}

/** The intent is funded in full: its charge, paid from the cash balance, and `payment_intent.succeeded`. */
function payFromCashBalance(core: EmulatorCore, intent: Stripe.PaymentIntent, request: RequestInfo): void {
  const method = core.store.get<Stripe.PaymentMethod>("payment_method", intent.payment_method as string);
  const charge = createCharge(
    core,
    {
      amount: intent.amount,
      currency: intent.currency,
      customer: intent.customer as string,
      paymentMethod: method,
      paymentIntent: intent.id,
      capture: true,
      description: intent.description,
      metadata: intent.metadata,
      details: { type: "customer_balance", customer_balance: {} } as Stripe.Charge.PaymentMethodDetails,
    },
    request,
  );
  const previous = core.store.update(intent, {
    status: "succeeded",
    next_action: null,
    latest_charge: charge.id,
    amount_received: intent.amount,
  });
  core.events.emit("payment_intent.succeeded", intent, request, previous);
  settleCharge(core, charge, request);
}
