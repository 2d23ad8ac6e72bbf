import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { createProduct } from "./products.js";

const INTERVALS = new Set(["day", "week", "month", "year"]);

/** `/v1/prices`: create (with `product` or `product_data`), retrieve, update, list; Stripe has no price delete. */
export function priceRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Price>("price", id);
  return [
    { method: "POST", pattern: "/v1/prices", handler: ({ params, request }) => createPrice(core, params, request) },
    { method: "GET", pattern: "/v1/prices/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/prices/:id",
      handler: ({ path, params, request }) => {
        const price = get(path.id as string);
        const active = optionalBoolean(params, "active");
        const nickname = nullableString(params, "nickname");
        const lookupKey = nullableString(params, "lookup_key");
        const previous = core.store.update(price, {
          metadata: mergeMetadata(params, price.metadata),
          ...(active !== undefined && { active }),
          ...(nickname !== undefined && { nickname }),
          ...(lookupKey !== undefined && { lookup_key: lookupKey }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("price.updated", price, request, previous);
        return price;
      },
    },
    {
      method: "GET",
      pattern: "/v1/prices",
      handler: ({ params, url }) => {
        const product = optionalString(params, "product");
        const active = optionalBoolean(params, "active");
        const type = optionalString(params, "type");
        const inRange = createdFilter(params);
        const prices = core.store
          .query<Stripe.Price>("price")
          .filter((price) => product === undefined || price.product === product)
          .filter(
            (price) => (active === undefined || price.active === active) && (type === undefined || price.type === type),
          )
          .filter((price) => inRange(price.created));
        return paginate(prices, params, url);
      },
    },
  ];
}

export function createPrice(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.Price {
  const currency = requireString(params, "currency").toLowerCase();
  const unitAmount = optionalInteger(params, "unit_amount");
  if (unitAmount === undefined) throw missingParam("unit_amount");
  if (unitAmount < 0) throw invalidParam("unit_amount", "This value must be greater than or equal to 0.");
  const productData = optionalObject(params, "product_data");
  const productId = optionalString(params, "product");
  if (productId === undefined && productData === undefined) throw missingParam("product");
  const product = productData
    ? createProduct(core, productData, request)
    : core.store.get<Stripe.Product>("product", productId as string, "product");
  const recurringParams = optionalObject(params, "recurring");
  let recurring: Stripe.Price.Recurring | null = null;
  if (recurringParams) {
    const interval = requireString(recurringParams, "interval");
    if (!INTERVALS.has(interval))
      throw invalidParam(
        "recurring[interval]",
        `Invalid recurring[interval]: must be one of day, week, month, or year`,
      );
    recurring = {
      interval: interval as Stripe.Price.Recurring.Interval,
      interval_count: optionalInteger(recurringParams, "interval_count") ?? 1,
      meter: null,
      trial_period_days: null,
      usage_type: "licensed",
    };
  }
  const price = core.store.insert<Stripe.Price>({
    id: stripeId("price"),
    object: "price",
    active: optionalBoolean(params, "active") ?? true,
    billing_scheme: "per_unit",
    created: core.now(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: nullableString(params, "lookup_key") ?? null,
    metadata: mergeMetadata(params),
    nickname: nullableString(params, "nickname") ?? null,
    product: product.id,
    recurring,
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? "recurring" : "one_time",
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount) as unknown as Stripe.Price["unit_amount_decimal"],
  });
  core.events.emit("price.created", price, request);
  return price;
}
