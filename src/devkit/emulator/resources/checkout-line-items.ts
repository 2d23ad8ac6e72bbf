import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { optionalArray, optionalInteger, optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import { createPrice } from "./prices.js";

/**
 * A session's `line_items[]`, each naming a `price` or describing one inline with `price_data` (and `product` or
 * `product_data`). Every item is checked before any inline price is made, so a refused session leaves nothing behind.
 */
export function sessionLineItems(
  core: EmulatorCore,
  params: Params,
  mode: string,
  request: RequestInfo,
): Stripe.LineItem[] {
  const raw = optionalArray(params, "line_items");
  if (mode === "setup") return [];
  if (!raw || raw.length === 0) throw missingParam("line_items");
  const items = raw.map((entry, index) => checkedItem(core, entry as Params, index, mode));
  return items.map(({ item, price }) => {
    const quantity = optionalInteger(item, "quantity") ?? 1;
    const resolved =
      typeof price === "string" ? core.store.get<Stripe.Price>("price", price) : inlinePrice(core, price, request);
    const amount = (resolved.unit_amount ?? 0) * quantity;
    return {
      id: stripeId("li"),
      object: "item",
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: resolved.currency,
      description: null,
      metadata: {},
      price: resolved,
      quantity,
    };
  });
}

/** An item with the id of its price, or the `price_data` to make one from. */
function checkedItem(core: EmulatorCore, item: Params, index: number, mode: string) {
  const param = `line_items[${index}]`;
  const recurringRequired = () =>
    invalidParam(
      `${param}[price]`,
      "You must provide at least one recurring price in `subscription` mode when using prices.",
    );
  // A payment session charges once, so Stripe refuses a recurring price in it.
  const oneTimeRequired = () =>
    invalidParam(
      `${param}[price]`,
      "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
    );
  const priceData = optionalObject(item, "price_data");
  if (priceData === undefined) {
    const id = optionalString(item, "price");
    if (id === undefined) throw missingParam(`${param}[price]`);
    const price = core.store.get<Stripe.Price>("price", id, `${param}[price]`);
    if (mode === "subscription" && !price.recurring) throw recurringRequired();
    if (mode === "payment" && price.recurring) throw oneTimeRequired();
    return { item, price: id };
  }
  const data = `${param}[price_data]`;
  if (optionalString(priceData, "currency") === undefined) throw missingParam(`${data}[currency]`);
  if (optionalInteger(priceData, "unit_amount") === undefined) throw missingParam(`${data}[unit_amount]`);
  const product = optionalString(priceData, "product");
  const productData = optionalObject(priceData, "product_data");
  if (product !== undefined) core.store.get<Stripe.Product>("product", product, `${data}[product]`);
  else if (productData === undefined) throw missingParam(`${data}[product]`);
  else if (optionalString(productData, "name") === undefined) throw missingParam(`${data}[product_data][name]`);
  const recurring = optionalObject(priceData, "recurring") !== undefined;
  if (mode === "subscription" && !recurring) throw recurringRequired();
  if (mode === "payment" && recurring) throw oneTimeRequired();
  return { item, price: priceData };
}

/**
 * The price Stripe makes from `price_data`: a one-off for this session, so archived (`active: false`) and not to be
 * offered again, as Stripe's inline prices are.
 */
function inlinePrice(core: EmulatorCore, priceData: Params, request: RequestInfo): Stripe.Price {
  return createPrice(core, { ...priceData, active: "false" }, request);
}
