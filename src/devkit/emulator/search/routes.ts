import type { EmulatorCore, Route } from "../core.js";
import { invalidParam } from "../errors.js";
import { pageLimit } from "../list.js";
import { optionalString, type Params, requireString, stringList } from "../params.js";
import { SEARCHABLE, type SearchableResource } from "./fields.js";
import { compileSearch } from "./match.js";
import { parseSearchQuery, SearchQueryError } from "./query.js";

/** Stripe's page of search results; `total_count` only when `expand[]=total_count` asks for it. */
export interface SearchResult {
  object: "search_result";
  data: unknown[];
  has_more: boolean;
  next_page: string | null;
  url: string;
  total_count?: number;
}

/** `GET /v1/<resource>/search` for every resource Stripe searches: newest first, paged by `next_page`. */
export function searchRoutes(core: EmulatorCore): Route[] {
  return SEARCHABLE.map(
    (resource): Route => ({
      method: "GET",
      pattern: `/v1/${resource.resource}/search`,
      handler: ({ params, url }) => search(core, resource, params, url),
    }),
  );
}

function search(core: EmulatorCore, resource: SearchableResource, params: Params, url: string): SearchResult {
  const query = requireString(params, "query");
  const limit = pageLimit(params);
  const offset = pageOffset(params, query);
  let matches: (object: Record<string, unknown>) => boolean;
  try {
    matches = compileSearch(parseSearchQuery(query), resource);
  } catch (error) {
    if (error instanceof SearchQueryError) throw invalidParam("query", error.message);
    throw error;
  }
  const found = core.store
    .all(resource.object)
    .filter((object) => matches(object as unknown as Record<string, unknown>));
  const end = offset + limit;
  const hasMore = end < found.length;
  return {
    object: "search_result",
    data: found.slice(offset, end),
    has_more: hasMore,
    next_page: hasMore ? pageToken(query, end) : null,
    url,
    ...((stringList(params, "expand") ?? []).includes("total_count") && { total_count: found.length }),
  };
}

/** An opaque cursor, as Stripe's are: it names the query it pages through, so it cannot page another. */
function pageToken(query: string, offset: number): string {
  return Buffer.from(JSON.stringify([query, offset])).toString("base64url");
}

function pageOffset(params: Params, query: string): number {
  const page = optionalString(params, "page");
  if (page === undefined) return 0;
  try {
    const [pagedQuery, offset] = JSON.parse(Buffer.from(page, "base64url").toString()) as [unknown, unknown];
    if (pagedQuery === query && Number.isInteger(offset) && (offset as number) >= 0) return offset as number;
  } catch {
    // not one of ours: answered below
  }
  throw invalidParam(
    "page",
    `Invalid page: ${page}. Pass the next_page of the previous search with the same query, or leave page out for the first page.`,
  );
}
