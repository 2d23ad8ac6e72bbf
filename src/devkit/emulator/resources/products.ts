import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalString,
  type Params,
  requireString,
  stringList,
} from "../params.js";
import { stripeId } from "../store.js";

/** `/v1/products`: create, retrieve, update, delete (only without prices, as on Stripe), list. */
export function productRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Product>("product", id);
  return [
    { method: "POST", pattern: "/v1/products", handler: ({ params, request }) => createProduct(core, params, request) },
    { method: "GET", pattern: "/v1/products/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/products/:id",
      handler: ({ path, params, request }) => {
        const product = get(path.id as string);
        const changes: Partial<Stripe.Product> = { metadata: mergeMetadata(params, product.metadata) };
        const name = optionalString(params, "name");
        if (name) changes.name = name;
        const description = nullableString(params, "description");
        if (description !== undefined) changes.description = description;
        const active = optionalBoolean(params, "active");
        if (active !== undefined) changes.active = active;
        const defaultPrice = optionalString(params, "default_price");
        if (defaultPrice) changes.default_price = core.store.get("price", defaultPrice, "default_price").id;
        const previous = core.store.update(product, changes);
        if (Object.keys(previous).length > 0) {
          product.updated = core.now();
          core.events.emit("product.updated", product, request, previous);
        }
        return product;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/products/:id",
      handler: ({ path, request }) => {
        const product = get(path.id as string);
        if (core.store.all<Stripe.Price>("price").some((price) => price.product === product.id)) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "product_has_prices",
            "This product cannot be deleted because it has one or more user-created prices.",
          );
        }
        core.store.remove(product);
        core.events.emit("product.deleted", product, request);
        return deletedStub(product);
      },
    },
    {
      method: "GET",
      pattern: "/v1/products",
      handler: ({ params, url }) => {
        const active = optionalBoolean(params, "active");
        const inRange = createdFilter(params);
        const products = core.store
          .query<Stripe.Product>("product")
          .filter((product) => (active === undefined || product.active === active) && inRange(product.created));
        return paginate(products, params, url);
      },
    },
  ];
}

export function createProduct(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.Product {
  const now = core.now();
  const id = optionalString(params, "id") ?? stripeId("prod", 14);
  if (core.store.find(id)) {
    throw new StripeApiError(400, "invalid_request_error", "resource_already_exists", `Product already exists.`, "id");
  }
  const product = core.store.insert<Stripe.Product>({
    id,
    object: "product",
    active: optionalBoolean(params, "active") ?? true,
    created: now,
    default_price: null,
    description: nullableString(params, "description") ?? null,
    images: stringList(params, "images") ?? [],
    livemode: false,
    marketing_features: [],
    metadata: mergeMetadata(params),
    name: requireString(params, "name"),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: null,
    updated: now,
    url: null,
  });
  core.events.emit("product.created", product, request);
  return product;
}
