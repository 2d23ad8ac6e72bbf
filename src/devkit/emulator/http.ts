import type { IncomingMessage, ServerResponse } from "node:http";
import qs from "qs";
import type { Logger } from "../../log.js";
import type { EmulatorCore, Route } from "./core.js";
import { StripeApiError } from "./errors.js";
import { NO_REQUEST, type RequestInfo } from "./events.js";
import { expand } from "./expand.js";
import { apiFaultBody, type FaultSettings } from "./faults.js";
import { answerExpired } from "./idempotency.js";
import type { Journal, SavedAnswer } from "./journal.js";
import { type Params, stringList } from "./params.js";
import { createRouter } from "./router.js";
import { completeShape } from "./schema/complete.js";
import type { SchemaEndpoint, StripeSchema } from "./schema/types.js";
import { stripeId } from "./store.js";
import { refuseUnsupportedParams } from "./unsupported-params.js";
import { validateParams } from "./validate-params.js";
import { paramsAtCurrentVersion } from "./version-changes.js";

/** One API request as the emulator saw it, for tests that check what a client sent. */
export interface RecordedRequest {
  id: string;
  method: string;
  path: string;
  stripeVersion: string | null;
  idempotencyKey: string | null;
  /** The `Stripe-Account` it acted as, or null for the platform. */
  stripeAccount: string | null;
  status: number;
}

export interface ApiHandlerOptions {
  core: EmulatorCore;
  routes: readonly Route[];
  /** Stripe's endpoints and their parameters: requests are routed and checked against it. */
  schema: StripeSchema;
  apiVersion: string;
  faults: { get(): FaultSettings; set(faults: FaultSettings): void };
  /** Answers by idempotency key, per API key and account. */
  idempotent: Map<string, SavedAnswer>;
  /** With `--data`: where each request's writes are saved before it is answered. */
  journal?: Journal | undefined;
  log: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;
const TEST_KEY = /^(sk|rk)_test_\w+$/;

/** Speaks Stripe's HTTP API: bearer test keys, form-encoded bodies, idempotency keys, Stripe's error object. */
export function createApiHandler(options: ApiHandlerOptions) {
  const { idempotent } = options;
  const requests: RecordedRequest[] = [];
  const router = createRouter(options.routes, options.schema);
  // The installed package's API version and every one Stripe published before it, exactly as Stripe names them;
  // anything else (a date between releases, beta flags) Stripe refuses.
  const versions = new Set([...options.schema.apiVersions, options.apiVersion]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = stripeId("req", 14);
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const stripeVersion = header(req, "stripe-version");
    const idempotencyKey = header(req, "idempotency-key");
    const account = header(req, "stripe-account");
    const send = (status: number, body: string, extra: Record<string, string> = {}) => {
      // On disk before the client hears of it, so whatever a client saw acknowledged survives a crash.
      options.journal?.commit();
      requests.push({
        id: requestId,
        method,
        path: url.pathname,
        stripeVersion,
        idempotencyKey,
        stripeAccount: account,
        status,
      });
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": requestId,
        // Stripe's clock, as clients (and `doctor`) read it: the emulator's, which tests may set apart from ours.
        date: new Date(options.core.now() * 1000).toUTCString(),
        "stripe-version": stripeVersion ?? options.apiVersion,
        ...(idempotencyKey !== null && { "idempotency-key": idempotencyKey }),
        ...extra,
      });
      res.end(body);
    };
    const sendError = (error: StripeApiError) => send(error.status, JSON.stringify(error.body(requestId), null, 2));

    try {
      const raw = await readBody(req);
      const control = url.pathname.startsWith("/_emulator/");
      if (!control) {
        const fault = takeApiFault(options.faults);
        if (fault) {
          send(fault, JSON.stringify(apiFaultBody(fault), null, 2), { "stripe-should-retry": "true" });
          return;
        }
        const key = apiKey(req);
        authenticate(key);
        if (stripeVersion !== null && !versions.has(stripeVersion)) throw unknownApiVersion(stripeVersion);
        // Stripe keys idempotency per account as well as per API key.
        const scoped = idempotencyKey !== null && method === "POST" ? `${key}:${account}:${idempotencyKey}` : null;
        const fingerprint = `${method} ${url.pathname} ${raw}`;
        const saved = scoped === null ? undefined : idempotent.get(scoped);
        if (saved && answerExpired(saved, options.core.now())) idempotent.delete(scoped as string);
        else if (saved) {
          if (saved.fingerprint !== fingerprint) throw idempotencyMismatch(idempotencyKey as string);
          send(saved.status, saved.body, { "idempotent-replayed": "true" });
          return;
        }
        const answer = serve(method, url, raw, { id: requestId, idempotencyKey, stripeVersion }, account);
        // Stripe saves no result for a request refused before it ran (bad params), so it can be fixed and retried.
        if (scoped !== null && !answer.refused) {
          const kept = { fingerprint, status: answer.status, body: answer.body, savedAt: options.core.now() };
          idempotent.set(scoped, kept);
          options.journal?.saveAnswer(scoped, kept);
        }
        send(answer.status, answer.body);
        return;
      }
      const answer = serve(method, url, raw, NO_REQUEST, account);
      send(answer.status, answer.body);
    } catch (error) {
      if (error instanceof StripeApiError) return sendError(error);
      options.log.error({ err: error }, "emulator request failed");
      sendError(new StripeApiError(500, "api_error", "", "An unknown error occurred in the emulator."));
    }
  }

  /** Runs the route and renders its answer, errors included, so an idempotent replay repeats either. */
  function serve(
    method: string,
    url: URL,
    raw: string,
    request: RequestInfo,
    account: string | null,
  ): { status: number; body: string; refused?: boolean } {
    try {
      return options.core.accounts.actingAs(account, () => run(method, url, raw, request));
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      const body = JSON.stringify(error.body(request.id ?? "req_emulator"), null, 2);
      return { status: error.status, body, refused: error.type === "invalid_request_error" };
    }
  }

  /** The route's answer, with the objects of the account acting. */
  function run(method: string, url: URL, raw: string, request: RequestInfo): { status: number; body: string } {
    const routed = router.resolve(method, url.pathname);
    if (!routed) throw unrecognizedUrl(method, url.pathname, router.unimplemented(method, url.pathname));
    const parsed = parseParams(method === "POST" ? raw : url.search.slice(1));
    // A request without `Stripe-Version` runs at the account's version.
    const version = request.stripeVersion ?? options.apiVersion;
    const { params, legacy } = routed.endpoint
      ? paramsAtCurrentVersion(parsed, routed.endpoint, version)
      : { params: parsed, legacy: {} };
    if (routed.endpoint?.params) validateParams(options.schema, params, routed.endpoint.params);
    if (routed.endpoint) refuseUnsupportedParams(params, routed.endpoint);
    const result = routed.route.handler({ params, legacy, path: routed.path, request, url: url.pathname });
    const paths = stringList(params, "expand") ?? [];
    const rendered =
      paths.length === 0
        ? result
        : expand(result, paths, (id) => options.core.store.find(id), options.core.virtualFields);
    // Every field Stripe always shows is in the answer, though the route left out those that do not apply. Without
    // expand[] this completes the stored objects themselves, which is as true of them and spares a copy.
    if (routed.endpoint) completeShape(options.schema, rendered, routed.endpoint.returns);
    return { status: 200, body: JSON.stringify(rendered, null, 2) };
  }

  return { handle, requests, router };
}

/** Stripe's form encoding: `a[b][0]=x`; JSON is accepted too, for the emulator-only routes. */
function parseParams(raw: string): Params {
  const trimmed = raw.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as Params;
    } catch {
      throw new StripeApiError(400, "invalid_request_error", "", "The body is not valid JSON.");
    }
  }
  return qs.parse(raw, { arrayLimit: 1000, depth: 10, parameterLimit: 10_000 }) as Params;
}

function takeApiFault(faults: ApiHandlerOptions["faults"]): 429 | 500 | undefined {
  const current = faults.get();
  if (!current.apiErrors || current.apiErrors.count <= 0) return undefined;
  const { status, count } = current.apiErrors;
  faults.set({ ...current, apiErrors: { status, count: count - 1 } });
  return status;
}

/** `Authorization: Bearer sk_test_...`, or Basic with the key as user name, as curl's `-u sk_test_...:` sends it. */
function apiKey(req: IncomingMessage): string | null {
  const authorization = header(req, "authorization");
  if (!authorization) return null;
  const [scheme, value = ""] = authorization.split(" ", 2);
  if (scheme?.toLowerCase() === "bearer") return value.trim();
  if (scheme?.toLowerCase() === "basic") return Buffer.from(value, "base64").toString().split(":")[0] ?? "";
  return "";
}

function authenticate(key: string | null): void {
  if (key === null) {
    throw new StripeApiError(
      401,
      "invalid_request_error",
      "",
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (!TEST_KEY.test(key)) {
    const shown = key.length > 8 ? `${key.slice(0, 8)}${"*".repeat(12)}${key.slice(-4)}` : key;
    throw new StripeApiError(401, "invalid_request_error", "", `Invalid API Key provided: ${shown}`);
  }
}

function idempotencyMismatch(key: string): StripeApiError {
  return new StripeApiError(
    400,
    "idempotency_error",
    "",
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  );
}

/**
 * Stripe answers a version it never published (or a date without its release name, `2024-12-18` for
 * `2024-12-18.acacia`) with a 400 that carries no code.
 */
function unknownApiVersion(version: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    "",
    `Invalid Stripe API version: ${version}. Learn more at https://docs.stripe.com/upgrades`,
  );
}

/** Stripe's own 404; for an endpoint Stripe has and the emulator lacks, it also names what is missing. */
function unrecognizedUrl(method: string, path: string, lacking: SchemaEndpoint | undefined): StripeApiError {
  const missing = lacking
    ? ` The emulator does not implement Stripe's ${lacking.method} ${lacking.path} (${lacking.resource}.${lacking.operation}) yet.`
    : path.startsWith("/v2/")
      ? " The emulator serves Stripe's v1 API only."
      : "";
  return new StripeApiError(
    404,
    "invalid_request_error",
    "",
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.${missing}`,
  );
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        reject(new StripeApiError(413, "invalid_request_error", "", "Request body too large."));
      } else chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8")),
    );
    req.on("error", reject);
  });
}
