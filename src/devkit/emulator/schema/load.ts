import { readFileSync } from "node:fs";
import type { SchemaObject, StripeSchema } from "./types.js";

let loaded: StripeSchema | undefined;

/** The committed schema of Stripe's v1 API (`npm run schema:stripe`), read once, on first use. */
export function stripeSchema(): StripeSchema {
  loaded ??= JSON.parse(readFileSync(new URL("./stripe-schema.json", import.meta.url), "utf8")) as StripeSchema;
  return loaded;
}

/** The named type a `{ref}` node points at; a ref the schema does not hold is a generator bug, not a request's. */
export function schemaType(schema: StripeSchema, node: { ref: string }): SchemaObject {
  const type = schema.types[node.ref];
  if (!type) throw new Error(`stripe-schema.json has no type ${node.ref}: regenerate it with npm run schema:stripe`);
  return type;
}
