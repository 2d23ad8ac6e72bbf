import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import type { Readiness } from "../library/readiness.js";
import { type InboxMetrics, METRICS_CONTENT_TYPE } from "../metrics/inbox-metrics.js";
import { nodeHandler, writeReply } from "./node-io.js";
import type { WebhookReceiver } from "./receive.js";
import { jsonReply } from "./replies.js";
import { type ServerLimits, serverLimits, timeoutCheckInterval } from "./server-limits.js";

export const DEFAULT_WEBHOOK_PATH = "/webhooks/stripe";

export interface InboxServerOptions {
  receive: WebhookReceiver;
  /** `inbox.readiness`, answered at /readyz: 200 when ready, else 503 with the reason code. */
  readiness: () => Promise<Readiness>;
  path?: string;
  log: Logger;
  /** Served at GET /metrics in the Prometheus text format. */
  metrics?: InboxMetrics;
  /** The dashboard and admin API (`/`, `/api/...`); resolves false for a path it does not serve. */
  dashboard?: DashboardRoutes;
  /** Timeouts and the connection cap; see DEFAULT_SERVER_LIMITS. */
  limits?: Partial<ServerLimits>;
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
  limits: givenLimits,
}: InboxServerOptions): InboxServer {
  const limits = serverLimits(givenLimits);
  const webhook = nodeHandler(receive);
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === path) return webhook(req, res);
    if (url.pathname === "/healthz") return writeReply(res, jsonReply(200, { status: "ok" }));
    if (url.pathname === "/readyz") {
      const answer = await readiness();
      return writeReply(
        res,
        answer.ready
          ? jsonReply(200, { status: "ready" })
          : jsonReply(503, { status: "not_ready", reason: answer.reason }),
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
  const server = createServer(
    {
      // Bounds against slow or stalled clients (slowloris): headers, the whole request, idle keep-alive sockets.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(limits),
    },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        // Never crash on a request: an unexpected fault answers 500, which Stripe retries.
        log.error({ err: error }, "unexpected error while answering a request");
        writeReply(
          res,
          jsonReply(500, { error: { code: "internal_error", message: "Internal error; Stripe will retry." } }),
        );
      });
    },
  );
  server.timeout = 60_000;
  server.maxConnections = limits.maxConnections;
  server.on("drop", () => metrics?.httpRefused("connection_limit"));

  // The response in progress on each socket: a timeout is answered only if that response has not started.
  const responses = new WeakMap<Socket, ServerResponse>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const refusal = clientErrorRefusal(error.code);
    metrics?.httpRefused(refusal.code);
    if (socket.writable && !responses.get(socket)?.headersSent) socket.end(rawErrorResponse(refusal));
    else socket.destroy();
  });

  // close() stops accepting connections, but Node goes on reading requests from kept-alive ones: under steady
  // load it would never finish, and the forced close at the end of the grace period would reset commits in
  // flight. So while stopping, every answer says `Connection: close` and each client hangs up after it.
  let stopping = false;
  const answering = new Set<ServerResponse>();
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
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

interface Refusal {
  status: number;
  reason: string;
  code: "request_timeout" | "headers_too_large" | "bad_request";
  message: string;
}

/** What a client error is answered: Node reports a request past its timeout as ERR_HTTP_REQUEST_TIMEOUT. */
function clientErrorRefusal(code: string | undefined): Refusal {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      reason: "Request Timeout",
      code: "request_timeout",
      message: "The request's headers or body did not arrive in time.",
    };
  }
  if (code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      reason: "Request Header Fields Too Large",
      code: "headers_too_large",
      message: "The request's headers are too large.",
    };
  }
  return { status: 400, reason: "Bad Request", code: "bad_request", message: "The request is not valid HTTP/1.1." };
}

/** Written straight to the socket: there is no request object to answer through. */
function rawErrorResponse({ status, reason, code, message }: Refusal): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
