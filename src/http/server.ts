import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { type InboxMetrics, METRICS_CONTENT_TYPE } from "../metrics/inbox-metrics.js";
import { nodeHandler, writeReply } from "./node-io.js";
import type { WebhookReceiver } from "./receive.js";
import { jsonReply } from "./replies.js";

export const DEFAULT_WEBHOOK_PATH = "/webhooks/stripe";

export interface InboxServerOptions {
  receive: WebhookReceiver;
  /** Resolves to null when ready, or to the reason it is not. */
  readiness: () => Promise<string | null>;
  path?: string;
  log: Logger;
  /** Served at GET /metrics in the Prometheus text format. */
  metrics?: InboxMetrics;
  /** The dashboard and admin API (`/`, `/api/...`); resolves false for a path it does not serve. */
  dashboard?: DashboardRoutes;
}

/** Gets the address the server listens on, so it can refuse to serve without a token beyond loopback. */
export type DashboardRoutes = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  listening: AddressInfo | string | null,
) => Promise<boolean>;

export interface InboxServer extends Server {
  /**
   * Stops accepting, lets every request already received finish (its commit included), and resolves once all
   * connections have ended; connections still open after `graceMs` are cut.
   */
  stopGracefully(graceMs?: number): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;

/** The standalone server behind `stripe-inbox serve`: the webhook route, /healthz and /readyz. */
export function createInboxServer({
  receive,
  readiness,
  path = DEFAULT_WEBHOOK_PATH,
  log,
  metrics,
  dashboard,
}: InboxServerOptions): InboxServer {
  const webhook = nodeHandler(receive);
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === path) return webhook(req, res);
    if (url.pathname === "/healthz") return writeReply(res, jsonReply(200, { status: "ok" }));
    if (url.pathname === "/readyz") {
      const reason = await readiness();
      return writeReply(
        res,
        jsonReply(reason === null ? 200 : 503, reason === null ? { status: "ready" } : { status: "not_ready", reason }),
      );
    }
    if (metrics && url.pathname === "/metrics") {
      return writeReply(res, {
        status: 200,
        headers: { "content-type": METRICS_CONTENT_TYPE },
        body: await metrics.scrape(),
      });
    }
    if (dashboard && (await dashboard(req, res, url, server.address()))) return;
    writeReply(
      res,
      jsonReply(404, { error: { code: "not_found", message: `No route ${url.pathname}; Stripe posts to ${path}.` } }),
    );
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // Never crash on a request: an unexpected fault answers 500, which Stripe retries.
      log.error({ err: error }, "unexpected error while answering a request");
      writeReply(
        res,
        jsonReply(500, { error: { code: "internal_error", message: "Internal error; Stripe will retry." } }),
      );
    });
  });
  // Bounds against slow or stalled clients (slowloris): headers, whole request, idle keep-alive sockets.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.timeout = 60_000;
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  // close() stops accepting connections, but Node goes on reading requests from kept-alive ones: under steady
  // load it would never finish, and the forced close at the end of the grace period would reset commits in
  // flight. So while stopping, every answer says `Connection: close` and each client hangs up after it.
  let stopping = false;
  const answering = new Set<ServerResponse>();
  server.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return void res.setHeader("connection", "close");
    answering.add(res);
    res.once("close", () => answering.delete(res));
  });
  const stopGracefully = (graceMs = DEFAULT_GRACE_MS) =>
    new Promise<void>((resolve) => {
      stopping = true;
      for (const res of answering) if (!res.headersSent) res.setHeader("connection", "close");
      const force = setTimeout(() => server.closeAllConnections(), graceMs).unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  return Object.assign(server, { stopGracefully });
}
