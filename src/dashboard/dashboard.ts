import type { Logger } from "pino";
import { InboxError, StoreUnavailableError } from "../errors.js";
import { writeReply } from "../http/node-io.js";
import { errorReply, jsonReply } from "../http/replies.js";
import type { DashboardRoutes } from "../http/server.js";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import type { Store } from "../store/store.js";
import { type HandlerControl, handlerControl } from "../worker/handler-pauses.js";
import { adminApi } from "./admin-api.js";
import { ADMIN_TOKEN_ENV, checkAdminAccess } from "./admin-auth.js";
import type { Alerts } from "./alerts.js";
import { dashboardAssets } from "./assets.js";
import { startHealthHistory } from "./health-history.js";

export interface DashboardOptions {
  store: () => Promise<Store>;
  metrics: InboxMetrics;
  /** STRIPE_INBOX_ADMIN_TOKEN. Null (or empty) serves the dashboard and API only on a loopback listener. */
  token: string | null | undefined;
  log: Logger;
  /** How often the health charts get a point (10 s) and the pages refresh (2 s). */
  sampleEveryMs?: number;
  pollMs?: number;
  /** The mirror's schema when the inbox keeps the mirror: the object page shows its row. */
  mirrorSchema?: string | null | undefined;
  /** Pause and resume (`inbox.handlers`), so that this process's workers learn of it at once. */
  handlers?: HandlerControl | undefined;
  /** Told every health sample: dead letters, a growing backlog, rejection spikes. */
  alerts?: Alerts | undefined;
  /** The inbox's retention in milliseconds, null when off: the health page shows what the next prune removes. */
  retentionMs?: number | null | undefined;
}

export interface Dashboard {
  routes: DashboardRoutes;
  stop(): void;
}

/** Security headers for every answer: nothing runs but our own script, and no other site may frame the pages. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The dashboard at `/` and its admin JSON API under `/api/`, for `createInboxServer({ dashboard })`. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const token = options.token ? options.token : null;
  const history = startHealthHistory(options.metrics, {
    intervalMs: options.sampleEveryMs ?? 10_000,
    log: options.log,
  });
  if (options.alerts) history.onSample(options.alerts.observe);
  const assets = dashboardAssets(options.pollMs ?? 2_000);
  const store = () =>
    options.store().catch((error: unknown) => {
      options.log.warn({ err: error }, "the dashboard could not reach the store");
      throw new StoreUnavailableError("The database is not reachable; see the server's log.");
    });
  const api = adminApi({
    store,
    metrics: options.metrics,
    history,
    log: options.log,
    handlers: options.handlers ?? handlerControl({ store, known: () => [] }),
    mirrorSchema: options.mirrorSchema ?? null,
    retentionMs: options.retentionMs ?? null,
  });

  const routes: DashboardRoutes = async (req, res, url, listening) => {
    const asset = assets.get(url.pathname);
    if (asset && (req.method === "GET" || req.method === "HEAD")) {
      writeReply(res, { status: 200, headers: { ...SECURITY_HEADERS, "content-type": asset.type }, body: asset.body });
      return true;
    }
    if (url.pathname !== "/api" && !url.pathname.startsWith("/api/")) return false;
    let reply: Awaited<ReturnType<typeof api>>;
    try {
      checkAdminAccess(req, token, listening);
      reply =
        url.pathname === "/api/access"
          ? jsonReply(200, {
              mode: token ? "token" : "loopback_only",
              message: token
                ? "Signed in with the admin token."
                : `No ${ADMIN_TOKEN_ENV} is set: the dashboard is served on loopback only.`,
            })
          : await api(req, url);
    } catch (error) {
      if (!(error instanceof InboxError)) throw error;
      reply = errorReply(error, error.status === 401 ? { "www-authenticate": 'Bearer realm="stripe-inbox"' } : {});
    }
    writeReply(res, { ...reply, headers: { ...reply.headers, ...SECURITY_HEADERS } });
    return true;
  };
  return { routes, stop: history.stop };
}
