/**
 * The fields each resource's search takes, with their types, as Stripe lists them under "Query fields for ..."
 * (https://docs.stripe.com/search#query-fields-for-customers and the sections after it).
 * - string: `:` matches exactly but case-insensitively, `~` matches a substring;
 * - token: `:` matches exactly, case-sensitively;
 * - numeric: `:` and the comparisons `>`, `>=`, `<`, `<=`;
 * - boolean: `:` with `true` or `false`.
 * `metadata["key"]` is searchable on every resource.
 */
export type SearchFieldType = "string" | "token" | "numeric" | "boolean";

export interface SearchField {
  type: SearchFieldType;
  /** The value on the object; defaults to the field's dotted path. */
  read?: (object: Record<string, unknown>) => unknown;
}

export interface SearchableResource {
  /** The `object` type string the search returns. */
  object: string;
  /** The plural Stripe names the resource by in its docs and errors. */
  resource: string;
  fields: Record<string, SearchField>;
}

const string: SearchField = { type: "string" };
const token: SearchField = { type: "token" };
const numeric: SearchField = { type: "numeric" };
const boolean: SearchField = { type: "boolean" };

/** `payment_method_details.{SOURCE}.last4` etc., for the card-like sources Stripe lists. */
function paymentMethodDetails(): Record<string, SearchField> {
  const fields: Record<string, SearchField> = {};
  for (const source of ["card", "card_present", "interac_present"]) {
    const prefix = `payment_method_details.${source}`;
    Object.assign(fields, {
      [`${prefix}.brand`]: token,
      [`${prefix}.exp_month`]: numeric,
      [`${prefix}.exp_year`]: numeric,
      [`${prefix}.fingerprint`]: token,
      [`${prefix}.last4`]: string,
    });
  }
  return fields;
}

export const SEARCHABLE: readonly SearchableResource[] = [
  {
    object: "charge",
    resource: "charges",
    fields: {
      amount: numeric,
      "billing_details.address.postal_code": string,
      created: numeric,
      currency: token,
      customer: string,
      disputed: boolean,
      ...paymentMethodDetails(),
      refunded: boolean,
      status: token,
    },
  },
  {
    object: "customer",
    resource: "customers",
    fields: { created: numeric, email: string, name: string, phone: string },
  },
  {
    object: "invoice",
    resource: "invoices",
    fields: {
      created: numeric,
      currency: token,
      customer: string,
      last_finalization_error_code: { type: "token", read: (invoice) => finalizationError(invoice, "code") },
      last_finalization_error_type: { type: "token", read: (invoice) => finalizationError(invoice, "type") },
      number: string,
      receipt_number: string,
      status: string,
      // The subscription moved under `parent` in the API version the emulator speaks; search still names it so.
      subscription: { type: "string", read: invoiceSubscription },
      total: numeric,
    },
  },
  {
    object: "payment_intent",
    resource: "payment_intents",
    fields: { amount: numeric, created: numeric, currency: token, customer: string, status: token },
  },
  {
    object: "price",
    resource: "prices",
    fields: { active: boolean, currency: token, lookup_key: string, product: string, type: token },
  },
  {
    object: "product",
    resource: "products",
    fields: { active: boolean, description: string, name: string, shippable: boolean, url: string },
  },
  {
    object: "subscription",
    resource: "subscriptions",
    fields: { created: numeric, status: token },
  },
];

/** The value at a dotted path; an expanded reference reads as its id, as search indexes ids. */
export function readPath(object: Record<string, unknown>, path: string): unknown {
  let node: unknown = object;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === "object" && node !== null && "id" in node) return (node as { id: unknown }).id;
  return node;
}

function finalizationError(invoice: Record<string, unknown>, key: "code" | "type"): unknown {
  return readPath(invoice, `last_finalization_error.${key}`);
}

function invoiceSubscription(invoice: Record<string, unknown>): unknown {
  return readPath(invoice, "parent.subscription_details.subscription") ?? readPath(invoice, "subscription");
}
