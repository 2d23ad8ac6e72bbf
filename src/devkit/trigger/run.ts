import qs from "qs";
import Stripe from "stripe";
import { ConfigError, TriggerRequestError } from "../../errors.js";
import type { FixtureFile, FixtureRequest } from "./fixture.js";

export interface RunOptions {
  /** `http://127.0.0.1:12111` for the emulator, `https://api.stripe.com` for a real test account. */
  apiBase: string;
  apiKey: string;
  /** For `${.env:NAME|default}`; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Called before each request, e.g. to print "Setting up fixture for: customer". */
  onRequest?: (request: FixtureRequest) => void;
}

export interface FixtureResponse {
  name: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
}

const REFERENCE = /\$\{([^}:]+):([^}]*)\}/g;

/** Runs each request in order, feeding earlier answers into later ones through `${name:path}`. */
export async function runFixture(file: FixtureFile, options: RunOptions): Promise<FixtureResponse[]> {
  const answers = new Map<string, unknown>();
  const responses: FixtureResponse[] = [];
  for (const request of file.fixtures) {
    options.onRequest?.(request);
    const resolve = (text: string) => resolveReferences(text, answers, options.env ?? process.env);
    const path = resolve(request.path);
    const params = resolveParams(request.params ?? {}, resolve);
    const body = qs.stringify(params, { arrayFormat: "indices", encodeValuesOnly: true });
    const url = new URL(path, options.apiBase);
    if (request.method !== "post" && body !== "") url.search = body;
    const response = await fetch(url, {
      method: request.method.toUpperCase(),
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(request.method === "post" && { "content-type": "application/x-www-form-urlencoded" }),
        // The fixtures speak the API version of the installed `stripe` package, against Stripe as against the emulator.
        "stripe-version": request.api_version ?? Stripe.API_VERSION,
      },
      ...(request.method === "post" && { body }),
    }).catch((error: unknown) => {
      const cause = (error as Error).cause ?? error;
      throw new ConfigError(`Could not reach ${options.apiBase}: ${cause}. Is \`stripe-inbox emulator\` running?`);
    });
    const answer = (await response.json().catch(() => null)) as { error?: { type?: string; message?: string } } | null;
    if (!response.ok) {
      const error = answer?.error;
      if (!request.expected_error_type || error?.type !== request.expected_error_type) {
        throw new TriggerRequestError(request, response.status, error?.message ?? "no Stripe error in the answer");
      }
    }
    answers.set(request.name, response.ok ? answer : answer?.error);
    responses.push({ name: request.name, method: request.method, path, status: response.status, body: answer });
  }
  return responses;
}

function resolveParams(value: unknown, resolve: (text: string) => string): unknown {
  if (typeof value === "string") return resolve(value);
  if (Array.isArray(value)) return value.map((item) => resolveParams(item, resolve));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveParams(item, resolve)]));
  }
  return value === undefined || value === null ? "" : String(value);
}

/** `${customer:id}`, `${sub:items.data.0.id}`, `${.env:EMAIL|jenny@example.com}`. */
function resolveReferences(
  text: string,
  answers: Map<string, unknown>,
  env: Record<string, string | undefined>,
): string {
  return text.replace(REFERENCE, (whole, name: string, path: string) => {
    if (name === ".env") {
      const [variable = "", fallback] = path.split("|", 2);
      const value = env[variable] ?? fallback;
      if (value === undefined) throw new ConfigError(`${whole}: ${variable} is not set and has no default.`);
      return value;
    }
    if (!answers.has(name)) throw new ConfigError(`${whole}: no earlier request is named "${name}".`);
    let value: unknown = answers.get(name);
    for (const segment of path.split(".")) {
      value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (value === undefined || value === null || typeof value === "object") {
      throw new ConfigError(`${whole}: the answer to "${name}" has no value at "${path}".`);
    }
    return String(value);
  });
}
