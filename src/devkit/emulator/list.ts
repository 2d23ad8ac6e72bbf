import { invalidParam } from "./errors.js";
import { optionalInteger, optionalString, type Params } from "./params.js";
import type { StripeObject } from "./store.js";

export interface ApiList<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/** Stripe's cursor pagination over a newest-first list: `limit` (1-100, default 10), `starting_after`, `ending_before`. */
export function paginate<T extends StripeObject>(items: readonly T[], params: Params, url: string): ApiList<T> {
  const limit = pageLimit(params);
  const after = optionalString(params, "starting_after");
  const before = optionalString(params, "ending_before");
  if (after && before) {
    throw invalidParam("ending_before", "You may only specify one of these parameters: ending_before, starting_after.");
  }
  if (before !== undefined) {
    const end = indexOf(items, before, "ending_before");
    const start = Math.max(0, end - limit);
    return { object: "list", data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = after === undefined ? 0 : indexOf(items, after, "starting_after") + 1;
  const data = items.slice(start, start + limit);
  return { object: "list", data, has_more: start + limit < items.length, url };
}

/** `limit`, 1 to 100, 10 when absent: the same for lists and searches. */
export function pageLimit(params: Params): number {
  const limit = optionalInteger(params, "limit") ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam("limit", "This value must be less than or equal to 100.");
  return limit;
}

function indexOf(items: readonly StripeObject[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) {
    throw invalidParam(param, `No such object: '${id}'`, "resource_missing");
  }
  return index;
}

/** `created=123` or `created[gte]=123` etc., as every Stripe list that filters by time takes it. */
export function createdFilter(params: Params, name = "created"): (created: number) => boolean {
  const value = params[name];
  if (value === undefined) return () => true;
  if (typeof value === "string") {
    const exact = optionalInteger(params, name);
    return (created) => created === exact;
  }
  const range = value as Params;
  const bound = (key: string) => optionalInteger(range, key);
  const [gt, gte, lt, lte] = [bound("gt"), bound("gte"), bound("lt"), bound("lte")];
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}
