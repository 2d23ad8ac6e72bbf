import { isStripeCurrency, STRIPE_CURRENCIES } from "./currencies.js";
import { emptyParam, invalidParam, missingParam, StripeApiError, unknownParam } from "./errors.js";
import type { Params } from "./params.js";
import { schemaType } from "./schema/load.js";
import type { InlineObject, SchemaNode, StripeSchema } from "./schema/types.js";

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Refuses what Stripe refuses before any route runs: a parameter the endpoint does not take (at any depth:
 * `recurring[foo]`, `items[0][bogus]`), a missing required one, a value of the wrong type or outside its enum,
 * an empty string where nothing can be unset, and a currency Stripe does not know. Names are written as Stripe
 * writes them in `param`.
 */
export function validateParams(schema: StripeSchema, params: Params, node: SchemaNode): void {
  new ParamChecker(schema).check(params, node, "");
}

class ParamChecker {
  constructor(private readonly schema: StripeSchema) {}

  check(value: unknown, node: SchemaNode, name: string): void {
    if (Array.isArray(node)) this.union(value, node, name);
    else if (typeof node === "string") scalar(value, node, name);
    else if ("emptyable" in node) {
      if (value !== "" && value !== null) this.check(value, node.emptyable, name);
    } else if ("enum" in node) enumeration(value, node.enum, name);
    else if ("array" in node) this.array(value, node.array, name);
    else if ("map" in node) this.object(value, { fields: {}, additional: node.map }, name);
    else if ("ref" in node) this.object(value, schemaType(this.schema, node), name);
    else if ("fields" in node) this.object(value, node, name);
    // Expandable references are ids in a request; lists and partials describe answers only.
    else if ("expandable" in node) scalar(value, "string", name);
  }

  private object(value: unknown, type: InlineObject, name: string): void {
    if (value === "") throw emptyParam(name);
    if (!isRecord(value)) throw invalidParam(name, "Invalid object");
    for (const key of Object.keys(value)) {
      if (!(key in type.fields) && type.additional === undefined) throw unknownParam(child(name, key));
    }
    for (const key of type.required ?? []) {
      if (value[key] === undefined) throw missingParam(child(name, key));
    }
    for (const [key, field] of Object.entries(value)) {
      const fieldNode = type.fields[key] ?? type.additional;
      if (field === undefined || fieldNode === undefined) continue;
      this.check(field, fieldNode, child(name, key));
      if (key === "currency" && typeof field === "string" && field !== "" && !isStripeCurrency(field)) {
        throw invalidCurrency(child(name, key), field);
      }
    }
  }

  /** `a[0]=x&a[1]=y`; qs decodes a list past its array limit as an object keyed by index. */
  private array(value: unknown, element: SchemaNode, name: string): void {
    if (value === "") throw emptyParam(name);
    const items = Array.isArray(value)
      ? value.map((item, index) => [String(index), item] as const)
      : isRecord(value) && Object.keys(value).every((key) => /^\d+$/.test(key))
        ? Object.entries(value)
        : undefined;
    if (!items) throw invalidParam(name, "Invalid array");
    for (const [index, item] of items) this.check(item, element, `${name}[${index}]`);
  }

  /**
   * The first alternative that takes the value wins. Otherwise the error is the one of the alternative shaped like
   * the value (a hash for `string | {...}` given a hash), so a typo deep inside is named, not "Invalid string".
   */
  private union(value: unknown, alternatives: readonly SchemaNode[], name: string): void {
    if ((value === "" || value === null) && alternatives.includes("null")) return;
    let shaped: StripeApiError | undefined;
    let first: StripeApiError | undefined;
    for (const alternative of alternatives) {
      try {
        this.check(value, alternative, name);
        return;
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        first ??= error;
        if (!shaped && sameShape(value, alternative)) shaped = error;
      }
    }
    throw shaped ?? first ?? invalidParam(name, `Invalid ${name}`);
  }
}

function scalar(value: unknown, kind: Extract<SchemaNode, string>, name: string): void {
  if (value === "") {
    if (kind === "null" || kind === "unknown" || kind === "file") return;
    throw emptyParam(name);
  }
  switch (kind) {
    case "string":
      if (typeof value === "string" || typeof value === "number") return;
      throw invalidParam(name, `Invalid string: ${JSON.stringify(value)}`);
    case "number":
      if (isNumber(value)) return;
      throw invalidParam(name, `Invalid integer: ${shown(value)}`, "parameter_invalid_integer");
    case "decimal":
      if (isNumber(value)) return;
      throw invalidParam(name, `Invalid decimal: ${shown(value)}`);
    case "boolean":
      if (value === true || value === false || value === "true" || value === "false") return;
      throw invalidParam(name, `Invalid boolean: ${shown(value)}`);
    case "null":
      if (value === null) return;
      throw invalidParam(name, `Invalid ${name}: must be empty`);
    default:
      return;
  }
}

/** Stripe names the allowed values in its own words: "must be one of automatic, automatic_async, or manual". */
function enumeration(value: unknown, allowed: readonly (string | number | boolean)[], name: string): void {
  if (value === "" && !allowed.includes("")) throw emptyParam(name);
  if (allowed.some((option) => String(option) === String(value)) && !isRecord(value)) return;
  const listed = allowed.map(String);
  const last = listed.pop();
  const options = listed.length === 0 ? last : `${listed.join(", ")}${listed.length > 1 ? "," : ""} or ${last}`;
  throw invalidParam(name, `Invalid ${name}: must be one of ${options}`);
}

/** Stripe's answer lists every currency it supports. */
function invalidCurrency(name: string, value: string): StripeApiError {
  return invalidParam(
    name,
    `Invalid currency: ${value.toLowerCase()}. Stripe currently supports these currencies: ${STRIPE_CURRENCIES.join(", ")}`,
  );
}

function sameShape(value: unknown, node: SchemaNode): boolean {
  if (Array.isArray(node)) return node.some((alternative) => sameShape(value, alternative));
  const structured = typeof node === "object" && ("fields" in node || "ref" in node || "map" in node);
  if (typeof node === "object" && "array" in node) return Array.isArray(value) || isRecord(value);
  if (typeof node === "object" && "emptyable" in node) return sameShape(value, node.emptyable);
  return structured ? isRecord(value) : !isRecord(value) && !Array.isArray(value);
}

function child(name: string, key: string): string {
  return name === "" ? key : `${name}[${key}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): boolean {
  return (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && NUMBER.test(value));
}

function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
