import type { Route } from "./core.js";
import type { SchemaEndpoint, StripeSchema } from "./schema/types.js";

export interface RoutedRequest {
  route: Route;
  /** The `:name` parts of the route's path. */
  path: Record<string, string>;
  /** The Stripe endpoint the route implements; absent for the emulator's own routes (`/_emulator/...`). */
  endpoint?: SchemaEndpoint;
}

export interface Router {
  /** The route for a request, or undefined when nothing serves it: Stripe's 404 `Unrecognized request URL`. */
  resolve(method: string, pathname: string): RoutedRequest | undefined;
  /** The Stripe endpoint a request names when the emulator does not serve it, so the 404 can say what is missing. */
  unimplemented(method: string, pathname: string): SchemaEndpoint | undefined;
  /** Stripe's endpoints the emulator serves, in the schema's order. */
  implemented: readonly SchemaEndpoint[];
  /** Routes that are not Stripe endpoints: the emulator's controls and Checkout's hosted-page calls. */
  ownRoutes: readonly Route[];
}

/**
 * Routes a request to Stripe's endpoint first, as the schema knows them all: the most literal template wins
 * (`/v1/customers/search` over `/v1/customers/{customer}`), so a path is never taken for an id. An endpoint the
 * emulator does not implement answers 404 instead of falling onto a neighbour's route.
 */
export function createRouter(routes: readonly Route[], schema: StripeSchema): Router {
  const byShape = new Map(schema.endpoints.map((endpoint) => [shape(endpoint.method, endpoint.path), endpoint]));
  const implementedBy = new Map<SchemaEndpoint, Route>();
  const ownRoutes: Route[] = [];
  for (const route of routes) {
    const endpoint = byShape.get(shape(route.method, route.pattern));
    if (endpoint) implementedBy.set(endpoint, route);
    else ownRoutes.push(route);
  }
  // Grouped by method and number of segments, the only candidates a request can match.
  const endpointTemplates = groupBy(
    schema.endpoints.map((endpoint) => ({ endpoint, ...template(endpoint.path, "{") })),
    (candidate) => candidate.endpoint.method,
  );
  const ownTemplates = groupBy(
    ownRoutes.map((route) => ({ route, ...template(route.pattern, ":") })),
    (candidate) => candidate.route.method,
  );

  const stripeEndpoint = (method: string, parts: readonly string[]) =>
    mostLiteral(endpointTemplates.get(`${method} ${parts.length}`) ?? [], parts)?.endpoint;

  return {
    resolve(method, pathname) {
      const parts = pathname.split("/");
      const key = `${method} ${parts.length}`;
      const endpoint = stripeEndpoint(method, parts);
      if (endpoint) {
        const route = implementedBy.get(endpoint);
        return route && { route, endpoint, path: pathParams(route.pattern, parts) };
      }
      const own = mostLiteral(ownTemplates.get(key) ?? [], parts)?.route;
      return own && { route: own, path: pathParams(own.pattern, parts) };
    },
    unimplemented(method, pathname) {
      const endpoint = stripeEndpoint(method, pathname.split("/"));
      return endpoint && !implementedBy.has(endpoint) ? endpoint : undefined;
    },
    implemented: schema.endpoints.filter((endpoint) => implementedBy.has(endpoint)),
    ownRoutes,
  };
}

interface Template {
  parts: string[];
  /** Which parts are parameters. */
  variable: boolean[];
  literals: number;
}

function groupBy<T extends Template>(templates: T[], methodOf: (template: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const each of templates) {
    const key = `${methodOf(each)} ${each.parts.length}`;
    groups.set(key, [...(groups.get(key) ?? []), each]);
  }
  return groups;
}

function template(pattern: string, marker: "{" | ":"): Template {
  const parts = pattern.split("/");
  const variable = parts.map((part) => part.startsWith(marker));
  return { parts, variable, literals: variable.filter((isVariable) => !isVariable).length };
}

function mostLiteral<T extends Template>(candidates: readonly T[], parts: readonly string[]): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (candidate.parts.length !== parts.length) continue;
    const matches = candidate.parts.every((part, index) => {
      const actual = parts[index] as string;
      return candidate.variable[index] ? actual !== "" : part === actual;
    });
    if (matches && (!best || candidate.literals > best.literals)) best = candidate;
  }
  return best;
}

/** `GET /v1/customers/{}`: a route and the endpoint it implements agree once their parameter names are dropped. */
function shape(method: string, pattern: string): string {
  const path = pattern
    .split("/")
    .map((part) => (part.startsWith(":") || part.startsWith("{") ? "{}" : part))
    .join("/");
  return `${method} ${path}`;
}

function pathParams(pattern: string, parts: readonly string[]): Record<string, string> {
  const path: Record<string, string> = {};
  pattern.split("/").forEach((part, index) => {
    if (part.startsWith(":")) path[part.slice(1)] = decodeURIComponent(parts[index] as string);
  });
  return path;
}
