import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { createInbox, type Inbox, type InboxOptions } from "../../src/create-inbox.js";
import type { Alerts } from "../../src/dashboard/alerts.js";
import { createDashboard } from "../../src/dashboard/dashboard.js";
import { createInboxServer } from "../../src/http/server.js";
import { silentLogger } from "../../src/log.js";
import { SECRET } from "../support/events.js";

export interface DashboardServer {
  inbox: Inbox;
  /** http://127.0.0.1:port */
  base: string;
  close(): Promise<void>;
}

/** An inbox behind the server `serve` runs, with /metrics and the dashboard mounted. */
export async function startDashboardServer(
  options: Partial<InboxOptions> & Pick<InboxOptions, "dataDir">,
  dashboard: {
    token?: string;
    listenOn?: string;
    sampleEveryMs?: number;
    pollMs?: number;
    alerts?: Alerts;
    mirrorSchema?: string;
  } = {},
  register: (inbox: Inbox) => void = () => {},
): Promise<DashboardServer> {
  const inbox = createInbox({ secret: SECRET, ...options });
  register(inbox);
  await inbox.start();
  const routes = createDashboard({
    store: inbox.store,
    metrics: inbox.metrics,
    token: dashboard.token ?? null,
    log: silentLogger,
    ...(dashboard.sampleEveryMs !== undefined && { sampleEveryMs: dashboard.sampleEveryMs }),
    ...(dashboard.pollMs !== undefined && { pollMs: dashboard.pollMs }),
    alerts: dashboard.alerts,
    mirrorSchema: dashboard.mirrorSchema,
    handlers: inbox.handlers,
  });
  const server = createInboxServer({
    receive: inbox.receive,
    readiness: inbox.readiness,
    log: silentLogger,
    metrics: inbox.metrics,
    dashboard: routes.routes,
  });
  await new Promise<void>((resolve) => server.listen(0, dashboard.listenOn ?? "127.0.0.1", resolve));
  return {
    inbox,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      routes.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inbox.stop();
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** node:http rather than fetch: a test must be able to send Host, Origin and Sec-Fetch-Site as a browser would. */
export function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? (body === undefined ? "GET" : "POST"),
        headers: { ...(body !== undefined && { "content-type": "application/json" }), ...init.headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          let json: Answer["json"] = {};
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON: the test looks at `text`
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
