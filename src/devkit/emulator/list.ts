import { invalidParam } from "./errors.js";
import { optionalInteger, optionalString, type Params } from "./params.js";
import { StoredQuery, type StripeObject } from "./store.js";

export interface ApiList<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Stripe's cursor pagination over a newest-first list: `limit` (1-100, default 10), `starting_after`,
 * `ending_before`. A stored query is walked from its cursor, so a page costs the same at the start and the end.
 */
export function paginate<T extends StripeObject>(
  items: readonly T[] | StoredQuery<T>,
  params: Params,
  url: string,
): ApiList<T> {
  const limit = pageLimit(params);
  const after = optionalString(params, "starting_after");
  const before = optionalString(params, "ending_before");
  if (after && before) {
    throw invalidParam("ending_before", "You may only specify one of these parameters: ending_before, starting_after.");
  }
  if (items instanceof StoredQuery) return pageOfQuery(items, limit, after, before, url);
  if (before !== undefined) {
    const end = indexOf(items, before, "ending_before");
    const start = Math.max(0, end - limit);
    return { object: "list", data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = after === undefined ? 0 : indexOf(items, after, "starting_after") + 1;
  const data = items.slice(start, start + limit);
  return { object: "list", data, has_more: start + limit < items.length, url };
}

function pageOfQuery<T extends StripeObject>(
  query: StoredQuery<T>,
  limit: number,
  after: string | undefined,
  before: string | undefined,
  url: string,
): ApiList<T> {
  const cursor = before ?? after;
  if (cursor !== undefined && !query.has(cursor))
    throw noSuchCursor(cursor, before ? "ending_before" : "starting_after");
  const walk =
    before === undefined
      ? query.store.newestFirst<T>(query.type, after)
      : query.store.oldestFirst<T>(query.type, before);
  // One more than a page, to know whether there is more.
  const data: T[] = [];
  for (const object of walk) {
    if (!query.where(object)) continue;
    data.push(object);
    if (data.length > limit) break;
  }
  const has_more = data.length > limit;
  if (has_more) data.pop();
  if (before !== undefined) data.reverse();
  return { object: "list", data, has_more, url };
}

/** `limit`, 1 to 100, 10 when absent: the same for lists and searches. */
export function pageLimit(params: Params): number {
  const limit = optionalInteger(params, "limit") ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam("limit", "This value must be less than or equal to 100.");
  return limit;
}

function indexOf(items: readonly StripeObject[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) throw noSuchCursor(id, param);
  return index;
}

function noSuchCursor(id: string, param: string) {
  return invalidParam(param, `No such object: '${id}'`, "resource_missing");
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
