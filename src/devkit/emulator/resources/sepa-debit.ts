import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam, StripeApiError } from "../errors.js";
import { NO_REQUEST, type RequestInfo } from "../events.js";
import { mergeMetadata, optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import { createCharge, settleCharge } from "./charges.js";
import { createSepaMandate } from "./mandates.js";

/** What Stripe's test IBANs do once a debit is `processing`. */
type DebitOutcome = "succeeds" | "fails" | "stays_processing";

/**
 * Stripe's SEPA Direct Debit test IBANs (docs.stripe.com/testing#sepa-direct-debit), by scenario: `succeeded` or
 * `requires_payment_method` right after `processing`, or either "after at least three minutes", which the emulator
 * leaves `processing`. Any other valid IBAN succeeds.
 */
const TEST_IBANS: Record<string, DebitOutcome> = {
  AT611904300234573201: "succeeds",
  AT321904300235473204: "stays_processing",
  AT861904300235473202: "fails",
  AT051904300235473205: "stays_processing",
  BE62510007547061: "succeeds",
  BE78510007547064: "stays_processing",
  BE68539007547034: "fails",
  BE51510007547065: "stays_processing",
  DE89370400440532013000: "succeeds",
  DE08370400440532013003: "stays_processing",
  DE62370400440532013001: "fails",
  DE78370400440532013004: "stays_processing",
  FR1420041010050500013M02606: "succeeds",
  FR3020041010050500013M02609: "stays_processing",
  FR8420041010050500013M02607: "fails",
  FR7920041010050500013M02600: "stays_processing",
  IE29AIBK93115212345678: "succeeds",
  IE24AIBK93115212345671: "stays_processing",
  IE02AIBK93115212345679: "fails",
  IE94AIBK93115212345672: "stays_processing",
  NL39RABO0300065264: "succeeds",
  NL55RABO0300065267: "stays_processing",
  NL91ABNA0417164300: "fails",
  NL28RABO0300065268: "stays_processing",
  // The Stripe CLI's `checkout.session.async_payment_failed` pays with this one to see the debit fail.
  IT60X0542811101000000123456: "fails",
};

/** The test IBANs by fingerprint, which is all a payment method keeps of its IBAN but its last four digits. */
const OUTCOME_BY_FINGERPRINT = new Map(
  Object.entries(TEST_IBANS).map(([iban, outcome]) => [ibanFingerprint(iban), outcome]),
);

/** Like Stripe's, the same for every payment method of the same bank account. */
function ibanFingerprint(iban: string): string {
  return createHash("sha256").update(iban).digest("base64url").replace(/[-_]/g, "").slice(0, 16);
}

/** A `sepa_debit` payment method from `sepa_debit[iban]`; Stripe needs the account holder's name and email. */
export function createSepaDebitPaymentMethod(core: EmulatorCore, params: Params): Stripe.PaymentMethod {
  const iban = optionalString(optionalObject(params, "sepa_debit") ?? {}, "iban")
    ?.replace(/\s/g, "")
    .toUpperCase();
  if (iban === undefined || iban === "") throw missingParam("sepa_debit[iban]");
  if (!validIban(iban)) {
    throw invalidParam("sepa_debit[iban]", "The IBAN you provided appears to be invalid.", "invalid_bank_account_iban");
  }
  const billing = optionalObject(params, "billing_details") ?? {};
  for (const field of ["name", "email"]) {
    if (!optionalString(billing, field)) throw missingParam(`billing_details[${field}]`);
  }
  const address = optionalObject(billing, "address");
  return core.store.insert<Stripe.PaymentMethod>({
    id: stripeId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: {
      address: address
        ? {
            city: optionalString(address, "city") ?? null,
            country: optionalString(address, "country") ?? null,
            line1: optionalString(address, "line1") ?? null,
            line2: optionalString(address, "line2") ?? null,
            postal_code: optionalString(address, "postal_code") ?? null,
            state: optionalString(address, "state") ?? null,
          }
        : null,
      email: optionalString(billing, "email") ?? null,
      name: optionalString(billing, "name") ?? null,
      phone: optionalString(billing, "phone") ?? null,
      tax_id: null,
    },
    created: core.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: mergeMetadata(params),
    sepa_debit: {
      bank_code: iban.slice(4, 9),
      branch_code: "",
      country: iban.slice(0, 2),
      fingerprint: ibanFingerprint(iban),
      generated_from: { charge: null, setup_attempt: null },
      last4: iban.slice(-4),
    },
    type: "sepa_debit",
  });
}

/** The IBAN check every bank runs: the digits, country and check digits moved last, leave 1 modulo 97. */
function validIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/**
 * A SEPA Direct Debit is a delayed notification payment: confirming makes the mandate and a `pending` charge and
 * leaves the intent `processing`, which is what the answer shows. The bank's answer then comes on its own (no
 * request): `succeeded`, or back to `requires_payment_method`, as the test IBAN says.
 */
export function confirmSepaDebitPayment(
  core: EmulatorCore,
  intent: Stripe.PaymentIntent,
  method: Stripe.PaymentMethod,
  params: Params,
  request: RequestInfo,
): Stripe.PaymentIntent {
  if (intent.currency !== "eur") {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "payment_intent_invalid_parameter",
      `The currency provided (${intent.currency}) is invalid. Payments with sepa_debit support the following currencies: eur.`,
      "currency",
    );
  }
  const mandate = createSepaMandate(core, method, params);
  const account = method.sepa_debit as Stripe.PaymentMethod.SepaDebit;
  const charge = createCharge(
    core,
    {
      amount: intent.amount,
      currency: intent.currency,
      customer: typeof intent.customer === "string" ? intent.customer : null,
      paymentMethod: method,
      paymentIntent: intent.id,
      capture: true,
      description: intent.description,
      metadata: intent.metadata,
      details: {
        type: "sepa_debit",
        sepa_debit: {
          bank_code: account.bank_code,
          branch_code: account.branch_code,
          country: account.country,
          fingerprint: account.fingerprint,
          last4: account.last4,
          mandate: mandate.id,
        },
      } as Stripe.Charge.PaymentMethodDetails,
      pending: true,
    },
    request,
  );
  const previous = core.store.update(intent, {
    payment_method: method.id,
    latest_charge: charge.id,
    status: "processing",
  });
  core.events.emit("payment_intent.processing", intent, request, previous);
  const answered = structuredClone(intent);
  const outcome = debitOutcome(method);
  if (outcome === "succeeds") debitSucceeded(core, intent, charge);
  else if (outcome === "fails") debitFailed(core, intent, charge, method);
  return answered;
}

function debitOutcome(method: Stripe.PaymentMethod): DebitOutcome {
  return OUTCOME_BY_FINGERPRINT.get(method.sepa_debit?.fingerprint ?? "") ?? "succeeds";
}

function debitSucceeded(core: EmulatorCore, intent: Stripe.PaymentIntent, charge: Stripe.Charge): void {
  const chargeBefore = core.store.update(charge, { status: "succeeded", paid: true });
  core.events.emit("charge.succeeded", charge, NO_REQUEST, chargeBefore);
  const previous = core.store.update(intent, { status: "succeeded", amount_received: intent.amount });
  core.events.emit("payment_intent.succeeded", intent, NO_REQUEST, previous);
  settleCharge(core, charge, NO_REQUEST);
}

/** Stripe's docs do not say which failure code the failing test IBANs give; this is its generic one for bank debits. */
function debitFailed(
  core: EmulatorCore,
  intent: Stripe.PaymentIntent,
  charge: Stripe.Charge,
  method: Stripe.PaymentMethod,
): void {
  const chargeBefore = core.store.update(charge, {
    status: "failed",
    failure_code: "generic_could_not_process",
    failure_message: "The payment could not be processed.",
  });
  core.events.emit("charge.failed", charge, NO_REQUEST, chargeBefore);
  const previous = core.store.update(intent, {
    payment_method: null,
    status: "requires_payment_method",
    last_payment_error: {
      code: "payment_intent_payment_attempt_failed",
      message:
        "The latest payment attempt of this PaymentIntent has failed or been canceled, and the attached payment method has been removed. You can try confirming again with a new payment method.",
      payment_method: method,
      type: "invalid_request_error",
    } as Stripe.PaymentIntent.LastPaymentError,
  });
  core.events.emit("payment_intent.payment_failed", intent, NO_REQUEST, previous);
}
