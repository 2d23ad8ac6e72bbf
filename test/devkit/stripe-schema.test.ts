import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { type BuiltSchema, buildStripeSchema, SCHEMA_FILE } from "../../scripts/stripe-schema/build.js";
import type { SchemaEndpoint, StripeSchema } from "../../src/devkit/emulator/schema/types.js";

const RESOURCES = fileURLToPath(new URL("../../node_modules/stripe/esm/resources/", import.meta.url));

describe("the committed Stripe schema", () => {
  let built: BuiltSchema;
  let committed: StripeSchema;
  beforeAll(() => {
    built = buildStripeSchema();
    committed = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as StripeSchema;
  });

  it("is what `npm run schema:stripe` generates from the installed stripe package", () => {
    const text = readFileSync(SCHEMA_FILE, "utf8");
    const stale = firstDifference(text, built.text);
    expect(stale, "the committed schema is stale: run `npm run schema:stripe` and commit the result").toBeUndefined();
  });

  it("reads every type the package uses, none as unknown", () => {
    expect(Object.fromEntries(built.unsupported)).toEqual({});
  });

  it("holds every v1 request the package makes, the same routes a plain scan of its sources finds", () => {
    const scanned = new Set<string>();
    for (const file of jsFiles(RESOURCES)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/_makeRequest\('(GET|POST|DELETE)', ['`](\/v1\/[^'`]*)['`]/g)) {
        scanned.add(`${match[1]} ${(match[2] as string).replace(/\$\{encodeURIComponent\((\w+)\)\}/g, "{$1}")}`);
      }
    }
    const routes = new Set(committed.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`));
    expect(routes.size).toBe(committed.endpoints.length);
    expect([...routes].sort()).toEqual([...scanned].sort());
    expect(committed.endpoints.some((endpoint) => endpoint.path.startsWith("/v2/"))).toBe(false);
  });

  it("knows the search endpoints, their required query, and what they answer", () => {
    const search = endpoint(committed, "GET", "/v1/customers/search");
    expect(search).toMatchObject({
      resource: "customers",
      operation: "search",
      params: { ref: "CustomerSearchParams" },
    });
    expect(search.returns).toEqual({ search: { ref: "Customer" } });
    expect(committed.types.CustomerSearchParams?.required).toEqual(["query"]);
  });

  it("keeps enums, unset-able values, metadata, ranges and nesting as the package declares them", () => {
    const create = committed.types.PaymentIntentCreateParams;
    expect(create?.fields.capture_method).toEqual({ enum: ["automatic", "automatic_async", "manual"], open: true });
    expect(create?.required).toEqual(["amount", "currency"]);
    expect(committed.types.PriceCreateParams?.fields.recurring).toEqual({ ref: "PriceCreateParams.Recurring" });
    expect(committed.types["PriceCreateParams.Recurring"]?.required).toEqual(["interval"]);
    expect(committed.types.CustomerUpdateParams?.fields.metadata).toEqual({ emptyable: { ref: "MetadataParam" } });
    expect(committed.types.MetadataParam).toEqual({ fields: {}, additional: ["string", "number", "null"] });
    expect(committed.types.CustomerListParams?.fields.created).toEqual([{ ref: "RangeQueryParam" }, "number"]);
    expect(committed.types.SubscriptionCreateParams?.fields.items).toEqual({
      array: { ref: "SubscriptionCreateParams.Item" },
    });
  });

  it("describes objects: the object string, nullable fields and expandable references", () => {
    expect(committed.objects.customer).toBe("Customer");
    expect(committed.objects["checkout.session"]).toBe("Checkout.Session");
    const charge = committed.types.Charge;
    expect(charge?.object).toBe("charge");
    expect(charge?.fields.customer).toEqual([{ expandable: ["Customer", "DeletedCustomer"] }, "null"]);
    expect(charge?.fields.description).toEqual(["string", "null"]);
    expect(committed.types.DeletedCustomer).toMatchObject({ object: "customer", deleted: true });
  });

  it("lists the API versions Stripe has published, up to the one the package pins", () => {
    expect(committed.source.apiVersion).toBe(Stripe.API_VERSION);
    expect(committed.apiVersions.at(-1)).toBe(Stripe.API_VERSION);
    expect(committed.apiVersions).toContain("2024-06-20");
    expect(committed.apiVersions).not.toContain("2024-06-21");
  });
});

function endpoint(schema: StripeSchema, method: string, route: string): SchemaEndpoint {
  const found = schema.endpoints.find((candidate) => candidate.method === method && candidate.path === route);
  if (!found) throw new Error(`no ${method} ${route} in the schema`);
  return found;
}

/** The first line that differs, so a stale schema fails with a line to look at rather than two megabytes. */
function firstDifference(committed: string, fresh: string): string | undefined {
  if (committed === fresh) return undefined;
  const a = committed.split("\n");
  const b = fresh.split("\n");
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1} differs.\ncommitted: ${a[at]?.slice(0, 300)}\ngenerated: ${b[at]?.slice(0, 300)}`;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "V2" ? [] : jsFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}
