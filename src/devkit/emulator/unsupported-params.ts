import { StripeApiError } from "./errors.js";
import type { Params } from "./params.js";
import type { SchemaEndpoint } from "./schema/types.js";

/**
 * Parameters Stripe takes that the emulator does not act on, by endpoint. Each is refused, so that a request whose
 * outcome would depend on it never succeeds as if it had been read. A path walks into objects by name and into every
 * element of a list with `[]`: `items[].discounts` is `items[0][discounts]`, `items[1][discounts]`, ...
 */
const UNSUPPORTED_PARAMS: Record<string, readonly string[]> = {
  "POST /v1/subscriptions": ["items[].discounts", "add_invoice_items[].discounts"],
  "POST /v1/subscriptions/{id}": ["items[].discounts", "add_invoice_items[].discounts"],
  "POST /v1/invoiceitems/{id}": ["discounts"],
  "POST /v1/checkout/sessions": ["discounts"],
  "POST /v1/quotes": ["discounts", "line_items[].discounts"],
  "POST /v1/quotes/{id}": ["discounts", "line_items[].discounts"],
  "POST /v1/subscription_schedules": [
    "phases[].discounts",
    "phases[].items[].discounts",
    "phases[].add_invoice_items[].discounts",
  ],
  "POST /v1/subscription_schedules/{id}": [
    "phases[].discounts",
    "phases[].items[].discounts",
    "phases[].add_invoice_items[].discounts",
  ],
  "POST /v1/billing_portal/sessions": [
    "flow_data.subscription_update_confirm.discounts",
    "flow_data.subscription_cancel.retention",
  ],
  "POST /v1/coupons": ["applies_to", "currency_options"],
  "POST /v1/promotion_codes": ["restrictions.currency_options"],
};

/** Refuses the first parameter of `params` the emulator does not act on for `endpoint`. */
export function refuseUnsupportedParams(params: Params, endpoint: SchemaEndpoint): void {
  for (const path of UNSUPPORTED_PARAMS[`${endpoint.method} ${endpoint.path}`] ?? []) {
    const found = presentAt(params, path.split("."), "");
    if (found !== undefined) throw unsupportedParam(found);
  }
}

/** Stripe's shape for a parameter the emulator cannot honour: a 400 `invalid_request_error` naming it. */
export function unsupportedParam(param: string, why = ""): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    "",
    `The emulator does not support \`${param}\`${why === "" ? "." : `: ${why}`}`,
    param,
  );
}

/** The name of the first value sent at `segments`, as Stripe writes it (`items[0][discounts]`), or undefined. */
function presentAt(value: unknown, segments: readonly string[], name: string): string | undefined {
  const [segment, ...rest] = segments;
  if (segment === undefined) return value === undefined ? undefined : name;
  if (value === null || typeof value !== "object") return undefined;
  const list = segment.endsWith("[]");
  const key = list ? segment.slice(0, -2) : segment;
  const child = (value as Record<string, unknown>)[key];
  const named = name === "" ? key : `${name}[${key}]`;
  if (!list) return presentAt(child, rest, named);
  if (child === null || typeof child !== "object") return undefined;
  for (const [index, element] of Object.entries(child as Record<string, unknown>)) {
    const found = presentAt(element, rest, `${named}[${index}]`);
    if (found !== undefined) return found;
  }
  return undefined;
}
