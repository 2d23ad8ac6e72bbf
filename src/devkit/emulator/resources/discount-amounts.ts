import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { discountCoupon } from "./discounts.js";

/** An invoice's lines with their `discount_amounts`, and the invoice's totals that follow from them. */
export interface DiscountedInvoice {
  lines: Stripe.InvoiceLineItem[];
  totals: Partial<Stripe.Invoice>;
}

/**
 * Applies the discounts as Stripe orders them: "Line item discounts are applied before invoice discounts." A percent
 * takes its share of each discountable line; an amount off is capped at what is left and, at the invoice level,
 * spread over the lines in proportion to what is left of each. The subtotal counts the lines after their own
 * discounts ("Item discounts are already incorporated"); the total also takes off the invoice's discounts.
 */
export function discountInvoice(
  core: EmulatorCore,
  lines: readonly Stripe.InvoiceLineItem[],
  invoiceDiscounts: readonly string[],
  currency: string,
): DiscountedInvoice {
  const left = lines.map((line) => (line.discountable ? Math.max(line.amount, 0) : 0));
  const perLine: Stripe.InvoiceLineItem.DiscountAmount[][] = lines.map(() => []);
  const byDiscount = new Map<string, number>();
  const take = (index: number, discount: string, amount: number) => {
    left[index] = (left[index] as number) - amount;
    perLine[index]?.push({ amount, discount });
    byDiscount.set(discount, (byDiscount.get(discount) ?? 0) + amount);
  };
  lines.forEach((line, index) => {
    for (const discount of line.discounts) {
      const id = typeof discount === "string" ? discount : discount.id;
      const amounts = discountAmounts(core, id, [left[index] as number], currency);
      take(index, id, amounts[0] as number);
    }
  });
  const itemDiscounts = sum([...byDiscount.values()]);
  for (const id of invoiceDiscounts) {
    discountAmounts(core, id, left, currency).forEach((amount, index) => {
      if (lines[index]?.discountable) take(index, id, amount);
    });
  }
  const allDiscounts = sum([...byDiscount.values()]);
  const subtotal = sum(lines.map((line) => line.amount)) - itemDiscounts;
  const total = subtotal - (allDiscounts - itemDiscounts);
  return {
    lines: lines.map((line, index) => ({ ...line, discount_amounts: perLine[index] ?? [] })),
    totals: {
      discounts: [...invoiceDiscounts],
      total_discount_amounts: [...byDiscount].map(([discount, amount]) => ({ amount, discount })),
      amount_due: Math.max(total, 0),
      amount_remaining: Math.max(total, 0),
      subtotal,
      subtotal_excluding_tax: subtotal,
      total,
      total_excluding_tax: total,
    },
  };
}

/** What one discount takes off each of the amounts `left`. */
function discountAmounts(core: EmulatorCore, discountId: string, left: readonly number[], currency: string): number[] {
  const coupon = discountCoupon(core, discountId);
  if (!coupon) return left.map(() => 0);
  if (coupon.percent_off !== null) {
    const percent = coupon.percent_off;
    return left.map((amount) => Math.round((amount * percent) / 100));
  }
  if (coupon.currency !== currency) return left.map(() => 0);
  return spread(Math.min(coupon.amount_off ?? 0, sum(left)), left);
}

/** `total` split in proportion to `weights`, each share whole, the remainders going to the largest fractions first. */
function spread(total: number, weights: readonly number[]): number[] {
  const whole = sum(weights);
  if (whole === 0) return weights.map(() => 0);
  const exact = weights.map((weight) => (total * weight) / whole);
  const shares = exact.map(Math.floor);
  const order = exact.map((value, index) => ({ index, fraction: value - Math.floor(value) }));
  order.sort((a, b) => b.fraction - a.fraction);
  for (let given = sum(shares), at = 0; given < total; given++, at++) {
    const index = (order[at] as { index: number }).index;
    shares[index] = (shares[index] as number) + 1;
  }
  return shares;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
