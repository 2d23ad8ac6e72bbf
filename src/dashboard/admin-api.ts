import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import { InboxError } from "../errors.js";
import { collectBody, type WebhookReply } from "../http/delivery.js";
import { jsonReply } from "../http/replies.js";
import { showEvent } from "../inbox/event-queries.js";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import type { Store } from "../store/store.js";
import type { HandlerControl } from "../worker/handler-pauses.js";
import { type ReplayFilter, replay } from "../worker/replay.js";
import { checkSameOrigin } from "./admin-auth.js";
import { EVENT_STATUSES, type EventStatus, searchEvents } from "./event-search.js";
import type { HealthHistory } from "./health-history.js";
import { readObject } from "./object-view.js";

export interface AdminApiOptions {
  store: () => Promise<Store>;
  metrics: InboxMetrics;
  history: HealthHistory;
  log: Logger;
  handlers: HandlerControl;
  /** The mirror's schema when the mirror is on, for the object page. */
  mirrorSchema: string | null;
}

const MAX_BODY_BYTES = 16 * 1024;
const MAX_PAGE = 200;
const REPLAY_STATUSES = ["succeeded", "failed", "dead"] as const;
const REPLAY_KEYS = new Set(["event_id", "handler", "type", "status", "since", "until", "dry_run"]);

/** The admin JSON API, after access was checked: answers every path under /api/. */
export function adminApi({ store, metrics, history, log, handlers, mirrorSchema }: AdminApiOptions) {
  return async (req: IncomingMessage, url: URL): Promise<WebhookReply> => {
    const path = url.pathname;
    if (path === "/api/events") {
      allowMethod(req, "GET");
      return jsonReply(200, await searchEvents(await store(), eventSearch(url.searchParams)));
    }
    const eventPath = /^\/api\/events\/([^/]+)$/.exec(path);
    if (eventPath?.[1]) {
      allowMethod(req, "GET");
      const event = await showEvent(await store(), pathSegment(eventPath[1]));
      if (!event) throw new InboxError("event_not_found", 404, "No event with this id is stored.");
      return jsonReply(200, event);
    }
    const objectPath = /^\/api\/objects\/([^/]+)$/.exec(path);
    if (objectPath?.[1]) {
      allowMethod(req, "GET");
      return jsonReply(200, await readObject(await store(), mirrorSchema, pathSegment(objectPath[1])));
    }
    if (path === "/api/replay") {
      allowMethod(req, "POST");
      checkSameOrigin(req);
      const { filter, dryRun } = replayRequest(await readJson(req));
      const result = await replay(await store(), filter, { dryRun });
      if (!dryRun) log.info({ filter, ...result }, "replay requested through the admin API");
      return jsonReply(200, { ...result, dry_run: dryRun });
    }
    if (path === "/api/handlers") {
      allowMethod(req, "GET");
      return jsonReply(200, { data: await handlers.list() });
    }
    const handlerPath = /^\/api\/handlers\/([^/]+)\/(pause|resume)$/.exec(path);
    if (handlerPath?.[1] && handlerPath[2]) {
      allowMethod(req, "POST");
      checkSameOrigin(req);
      const handler = pathSegment(handlerPath[1]);
      const body = await readJson(req);
      if (handlerPath[2] === "resume") {
        const lifted = await handlers.resume(handler);
        if (lifted) log.info({ handler }, "handler resumed through the admin API");
        return jsonReply(200, { handler, resumed: lifted !== null, pause: lifted });
      }
      const reason = (body as { reason?: unknown } | null)?.reason;
      if (reason !== undefined && reason !== null && typeof reason !== "string")
        throw badRequest("reason must be a string.");
      const { pause, alreadyPaused } = await handlers.pause(handler, reason ?? null);
      if (!alreadyPaused) log.info({ handler, reason }, "handler paused through the admin API");
      return jsonReply(200, { handler, pause, already_paused: alreadyPaused });
    }
    if (path === "/api/stats") {
      allowMethod(req, "GET");
      return jsonReply(200, { queue: await metrics.queueState(), history: history.samples() });
    }
    throw new InboxError("not_found", 404, `No admin API route ${path}.`);
  };
}

function allowMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new InboxError("method_not_allowed", 405, `Use ${method} here.`);
}

function eventSearch(params: URLSearchParams) {
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const status = text("status");
  if (status !== undefined && !(EVENT_STATUSES as readonly string[]).includes(status)) {
    throw badRequest(`status must be one of ${EVENT_STATUSES.join(", ")}.`);
  }
  const livemode = text("livemode");
  if (livemode !== undefined && livemode !== "true" && livemode !== "false") {
    throw badRequest("livemode must be true or false.");
  }
  const limit = Number(text("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badRequest(`limit must be 1 to ${MAX_PAGE}.`);
  return {
    type: text("type"),
    status: status as EventStatus | undefined,
    since: dateParam("since", text("since")),
    until: dateParam("until", text("until")),
    objectId: text("object_id"),
    account: text("account"),
    livemode: livemode === undefined ? undefined : livemode === "true",
    query: text("q"),
    limit,
    cursor: text("cursor"),
  };
}

/** Only the filters replay applies exactly: an unknown key is refused rather than ignored (it would replay more). */
function replayRequest(body: unknown): { filter: ReplayFilter; dryRun: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("Send a JSON object.");
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!REPLAY_KEYS.has(key)) {
      throw badRequest(`Replay cannot filter by "${key}"; it takes ${[...REPLAY_KEYS].join(", ")}.`);
    }
  }
  const text = (name: string) => {
    const value = fields[name];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw badRequest(`${name} must be a string.`);
    return value;
  };
  // One status, or several comma-separated (`failed,dead`, as `stripe-inbox replay --failed --dead` sends).
  const statuses = text("status")?.split(",");
  if (statuses?.some((status) => !(REPLAY_STATUSES as readonly string[]).includes(status))) {
    throw badRequest(`Replay by status takes ${REPLAY_STATUSES.join(", ")}; pending work runs anyway.`);
  }
  return {
    filter: {
      eventId: text("event_id"),
      handler: text("handler"),
      type: text("type"),
      statuses: statuses as Array<(typeof REPLAY_STATUSES)[number]> | undefined,
      since: dateParam("since", text("since")),
      until: dateParam("until", text("until")),
    },
    dryRun: fields.dry_run === true,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await collectBody(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw badRequest("The body is not JSON.");
  }
}

/** An id from the path; a malformed escape (`%ZZ`) is the client's mistake, not a fault of ours. */
function pathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest("The path holds a malformed %-escape.");
  }
}

function dateParam(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badRequest(`${name} must be a date, such as 2025-01-31T00:00:00Z.`);
  return date;
}

function badRequest(message: string): InboxError {
  return new InboxError("invalid_request", 400, message);
}
