import { InboxError } from "../errors.js";
import { isPostgresText, parseIsoTimestamp } from "../store/pg-values.js";

/** The longest id, type, name or search the admin API takes: Stripe's ids and types are far shorter. */
export const MAX_TEXT = 255;

export function badRequest(message: string): InboxError {
  return new InboxError("invalid_request", 400, message);
}

/** Text for a query: refused when Postgres could not take it (NUL) or longer than anything stored. */
export function checkText(name: string, value: string, max = MAX_TEXT): string {
  if (!isPostgresText(value)) throw badRequest(`${name} holds a NUL or an unpaired surrogate; send plain text.`);
  if (value.length > max) throw badRequest(`${name} is longer than ${max} characters.`);
  return value;
}

export function checkDate(name: string, value: string): Date {
  const date = parseIsoTimestamp(value);
  if (!date) {
    throw badRequest(`${name} must be an ISO date between the years 0001 and 9999, such as 2026-01-31T00:00:00Z.`);
  }
  return date;
}

/** An id from the path; a malformed escape (`%ZZ`) is the client's mistake, not a fault of ours. */
export function pathSegment(name: string, segment: string): string {
  try {
    return checkText(name, decodeURIComponent(segment));
  } catch (error) {
    if (error instanceof InboxError) throw error;
    throw badRequest("The path holds a malformed %-escape.");
  }
}

/** Query parameters, each checked: blank is absent, anything else must be what the parameter takes. */
export function queryParams(params: URLSearchParams) {
  const text = (name: string, max = MAX_TEXT) => {
    const value = params.get(name)?.trim();
    return value ? checkText(name, value, max) : undefined;
  };
  return {
    text,
    date: (name: string) => {
      const value = text(name);
      return value === undefined ? undefined : checkDate(name, value);
    },
    oneOf: <const Value extends string>(name: string, values: readonly Value[]): Value | undefined => {
      const value = text(name);
      if (value !== undefined && !(values as readonly string[]).includes(value)) {
        throw badRequest(`${name} must be one of ${values.join(", ")}.`);
      }
      return value as Value | undefined;
    },
  };
}

/**
 * The fields of a JSON body, each checked when present. An unknown key is refused rather than ignored, and so is a
 * field of the wrong type, null or empty: read as absent, it would widen what a request changes.
 */
export function jsonFields(body: unknown, keys: readonly string[]) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("Send a JSON object.");
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!keys.includes(key)) {
      throw badRequest(
        keys.length > 0 ? `Unknown field "${key}"; this request takes ${keys.join(", ")}.` : `Send {}, not "${key}".`,
      );
    }
  }
  const text = (name: string, value: unknown, max = MAX_TEXT) => {
    if (typeof value !== "string" || value === "") throw badRequest(`${name} must be a non-empty string.`);
    return checkText(name, value, max);
  };
  return {
    text: (name: string, max = MAX_TEXT) => (fields[name] === undefined ? undefined : text(name, fields[name], max)),
    /** One string or a non-empty array of them. */
    texts: (name: string) => {
      const value = fields[name];
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) return [text(name, value)];
      if (value.length === 0 || value.length > 100) throw badRequest(`${name} must list 1 to 100 strings.`);
      return value.map((item) => text(name, item));
    },
    boolean: (name: string) => {
      const value = fields[name];
      if (value !== undefined && typeof value !== "boolean") throw badRequest(`${name} must be true or false.`);
      return value;
    },
    date: (name: string) => {
      const value = fields[name];
      return value === undefined ? undefined : checkDate(name, text(name, value));
    },
    /** A string, or null (or absent, or empty) for none. */
    optionalText: (name: string, max = MAX_TEXT) => {
      const value = fields[name];
      if (value === undefined || value === null || value === "") return null;
      return text(name, value, max);
    },
  };
}
