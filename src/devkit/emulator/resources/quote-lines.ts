import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import { optionalArray, optionalInteger, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";

const NO_EXTRAS = { amount_discount: 0, amount_shipping: 0, amount_tax: 0 };

/**
 * `line_items[n][price]` and `[quantity]`, each an `item` as Stripe lists a quote's lines. The lines are all
 * recurring, on one interval, or all one-time: what the quote becomes on acceptance (a subscription, an invoice)
 * follows from them.
 */
export function quoteLineItems(core: EmulatorCore, params: Params): Stripe.LineItem[] {
  const lines = (optionalArray(params, "line_items") ?? []).map((raw, index) => {
    const name = `line_items[${index}]`;
    const priceId = optionalString(raw as Params, "price");
    if (priceId === undefined) throw missingParam(`${name}[price]`);
    const price = core.store.get<Stripe.Price>("price", priceId, `${name}[price]`);
    const quantity = optionalInteger(raw as Params, "quantity") ?? 1;
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: stripeId("li"),
      object: "item",
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: null,
      discounts: [],
      price,
      quantity,
      taxes: [],
    } as unknown as Stripe.LineItem;
  });
  const recurring = lines.filter((line) => line.price?.recurring);
  if (recurring.length > 0 && recurring.length < lines.length) {
    throw invalidParam(
      "line_items",
      "The emulator's quotes are all recurring or all one-time prices; a quote that mixes them is not emulated yet.",
    );
  }
  const intervals = new Set(recurring.map((line) => intervalOf(line.price as Stripe.Price)));
  if (intervals.size > 1) {
    throw invalidParam("line_items", "All recurring prices on a quote must have the same billing interval.");
  }
  return lines;
}

/** The quote's amounts: upfront, what the first invoice bills; recurring, what each later period does. */
export function quoteTotals(lines: readonly Stripe.LineItem[]): Partial<Stripe.Quote> {
  const total = lines.reduce((sum, line) => sum + line.amount_total, 0);
  const recurring = lines[0]?.price?.recurring ?? null;
  return {
    amount_subtotal: total,
    amount_total: total,
    currency: lines[0]?.currency ?? null,
    computed: {
      recurring: recurring && {
        amount_subtotal: total,
        amount_total: total,
        interval: recurring.interval,
        interval_count: recurring.interval_count,
        total_details: NO_EXTRAS,
      },
      upfront: { amount_subtotal: total, amount_total: total, total_details: NO_EXTRAS },
    },
    total_details: NO_EXTRAS,
  };
}

function intervalOf(price: Stripe.Price): string {
  return `${price.recurring?.interval_count} ${price.recurring?.interval}`;
}
