import type Stripe from "stripe";

/**
 * Stripe's processing fees on a charge, as its balance transaction's `fee_details` show them. The emulated account
 * is a US one with US test cards, and Stripe's standard US pricing for a domestic card charged in USD is 2.9% + 30¢.
 * Every other case has a figure the emulator cannot establish from Stripe's own artefacts, so it takes no fee rather
 * than an invented one: a card charged in another currency (Stripe converts it to USD at its day's rate and adds a
 * conversion fee), SEPA Direct Debit and bank transfers into the customer balance (priced per account and region).
 */
export function stripeFees(charge: Stripe.Charge): Stripe.BalanceTransaction.FeeDetail[] {
  const type = charge.payment_method_details?.type;
  if (type !== "card" || charge.currency !== "usd") return [];
  return [
    {
      amount: Math.round(charge.amount_captured * 0.029) + 30,
      application: null,
      currency: charge.currency,
      description: "Stripe processing fees",
      type: "stripe_fee",
    },
  ];
}
