import { invalidParam } from "./errors.js";
import type { StripeObject } from "./store.js";

/** Fields that exist only when expanded, such as a Checkout Session's `line_items`, keyed `object_type.field`. */
export type VirtualFields = Map<string, (object: StripeObject) => unknown>;

const MAX_DEPTH = 4;

/**
 * Applies `expand[]` to a copy of `value`: each dotted path replaces an id with its object, walking through
 * lists' `data` as Stripe does (`data.customer` on a list).
 */
export function expand(
  value: unknown,
  paths: readonly string[],
  lookup: (id: string) => StripeObject | undefined,
  virtual: VirtualFields,
): unknown {
  const copy = structuredClone(value);
  for (const path of paths) {
    const segments = path.split(".");
    const depth = segments.filter((segment) => segment !== "data").length;
    if (depth > MAX_DEPTH) {
      throw invalidParam("expand", `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`);
    }
    expandAt(copy, segments, path, lookup, virtual);
  }
  return copy;
}

function expandAt(
  node: unknown,
  segments: readonly string[],
  path: string,
  lookup: (id: string) => StripeObject | undefined,
  virtual: VirtualFields,
): void {
  if (Array.isArray(node)) {
    for (const item of node) expandAt(item, segments, path, lookup, virtual);
    return;
  }
  const [field, ...rest] = segments;
  if (field === undefined || typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  const virtualField = virtual.get(`${String(record.object)}.${field}`);
  if (virtualField) {
    record[field] = virtualField(record as unknown as StripeObject);
  } else if (!(field in record)) {
    throw invalidParam("expand", `This property cannot be expanded (${path}).`);
  } else if (typeof record[field] === "string") {
    record[field] = expandedId(record[field], path, lookup);
  } else if (Array.isArray(record[field])) {
    // A list of ids, such as an invoice's `discounts`: each id becomes its object.
    record[field] = record[field].map((item: unknown) =>
      typeof item === "string" ? expandedId(item, path, lookup) : item,
    );
  }
  if (rest.length > 0) expandAt(record[field], rest, path, lookup, virtual);
}

function expandedId(id: string, path: string, lookup: (id: string) => StripeObject | undefined): StripeObject {
  const found = lookup(id);
  if (!found) throw invalidParam("expand", `This property cannot be expanded (${path}).`);
  return structuredClone(found);
}
