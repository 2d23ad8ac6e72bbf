import type Stripe from "stripe";
import { invalidParam, missingParam } from "./errors.js";

/** A request's parameters as `qs` decodes Stripe's form encoding: nested objects, arrays and strings. */
export type Params = Record<string, unknown>;

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidParam(name, `Invalid string: ${describe(value)}`);
  return value;
}

export function requireString(params: Params, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined || value === "") throw missingParam(name);
  return value;
}

/** Empty string unsets a field, as Stripe does for nullable fields. */
export function nullableString(params: Params, name: string): string | null | undefined {
  const value = optionalString(params, name);
  return value === "" ? null : value;
}

export function optionalInteger(params: Params, name: string): number | undefined {
  const raw = optionalString(params, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidParam(name, `Invalid integer: ${raw}`, "parameter_invalid_integer");
  return Number(raw);
}

export function requireInteger(params: Params, name: string): number {
  const value = optionalInteger(params, name);
  if (value === undefined) throw missingParam(name);
  return value;
}

export function optionalBoolean(params: Params, name: string): boolean | undefined {
  const raw = optionalString(params, name);
  if (raw === undefined) return undefined;
  if (raw !== "true" && raw !== "false") throw invalidParam(name, `Invalid boolean: ${raw}`);
  return raw === "true";
}

export function optionalObject(params: Params, name: string): Params | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidParam(name, "Invalid object");
  return value as Params;
}

/** `a[0]=x&a[1]=y` decodes to an array; qs gives an object with numeric keys past its array limit. */
export function optionalArray(params: Params, name: string): unknown[] | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (Array.isArray(value)) return value;
  if (typeof value === "object" && value !== null) return Object.values(value);
  throw invalidParam(name, "Invalid array");
}

export function stringList(params: Params, name: string): string[] | undefined {
  const list = optionalArray(params, name);
  if (list === undefined) return undefined;
  return list.map((item, index) => {
    if (typeof item !== "string") throw invalidParam(`${name}[${index}]`, "Invalid string");
    return item;
  });
}

/** Stripe's documented limits on metadata (https://docs.stripe.com/metadata); the messages are the emulator's. */
const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/** Stripe merges metadata: `metadata[key]=` removes a key, `metadata=` clears them all. */
export function mergeMetadata(params: Params, current: Stripe.Metadata = {}): Stripe.Metadata {
  if (params.metadata === "") return {};
  const update = optionalObject(params, "metadata");
  if (!update) return current;
  const merged: Stripe.Metadata = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (typeof value !== "string") throw invalidParam(`metadata[${key}]`, "Invalid string");
    if (key.length > METADATA_LIMITS.keyLength) {
      throw invalidParam(
        "metadata",
        `Metadata keys can have up to ${METADATA_LIMITS.keyLength} characters; "${key}" has ${key.length}.`,
      );
    }
    if (value.length > METADATA_LIMITS.valueLength) {
      throw invalidParam(
        "metadata",
        `Metadata values can have up to ${METADATA_LIMITS.valueLength} characters; the value of "${key}" has ${value.length}.`,
      );
    }
    if (value === "") delete merged[key];
    else merged[key] = value;
  }
  const keys = Object.keys(merged).length;
  if (keys > METADATA_LIMITS.keys) {
    throw invalidParam("metadata", `Metadata can have up to ${METADATA_LIMITS.keys} keys; this would make ${keys}.`);
  }
  return merged;
}

function describe(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
