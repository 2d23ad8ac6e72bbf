import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import { InboxError } from "../errors.js";
import { collectBody, type WebhookReply } from "../http/delivery.js";
import { jsonReply } from "../http/replies.js";
import { showEvent } from "../inbox/event-queries.js";
import { readStoreHealth } from "../inbox/store-health.js";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import { prune } from "../retention/prune.js";
import { type InboxStorage, readStorage } from "../retention/storage.js";
import type { Store } from "../store/store.js";
import type { HandlerControl } from "../worker/handler-pauses.js";
import { replay } from "../worker/replay.js";
import { checkSameOrigin } from "./admin-auth.js";
import { badRequest, jsonFields, pathSegment, queryParams } from "./admin-input.js";
import { EVENT_STATUSES, type EventSearch, searchEvents } from "./event-search.js";
import { pauseToJson, stateToJson } from "./handler-json.js";
import type { HealthHistory } from "./health-history.js";
import { readObject } from "./object-view.js";
import { parsePruneBody, pruneToJson } from "./prune-json.js";
import { parseReplayBody } from "./replay-request.js";

export interface AdminApiOptions {
  store: () => Promise<Store>;
  metrics: InboxMetrics;
  history: HealthHistory;
  log: Logger;
  handlers: HandlerControl;
  /** The mirror's schema when the mirror is on, for the object page. */
  mirrorSchema: string | null;
  /** The retention in milliseconds, or null when off: the stats say what the next prune will remove. */
  retentionMs: number | null;
}

const MAX_BODY_BYTES = 16 * 1024;
const MAX_PAGE = 200;
/** A cursor is a time and an event id in base64url JSON: room for the longest id stored (255), however escaped. */
const MAX_CURSOR = 4_096;
const MAX_REASON = 500;
/** The health page asks for stats every few seconds; sizes and the next prune's counts are read at most this often. */
const STORAGE_READ_EVERY_MS = 60_000;
const STORAGE_WAIT_MS = 2_000;

/** The admin JSON API, after access was checked: answers every path under /api/. */
export function adminApi({ store, metrics, history, log, handlers, mirrorSchema, retentionMs }: AdminApiOptions) {
  let storage: { read: Promise<InboxStorage | null>; at: number } | null = null;
  /** Null when the database does not answer in time: the rest of the stats come from memory and still answer. */
  const readStorageNow = (): Promise<InboxStorage | null> => {
    if (!storage || Date.now() - storage.at >= STORAGE_READ_EVERY_MS) {
      const read = store()
        .then((opened) => readStorage(opened, retentionMs))
        .catch((error: unknown) => {
          log.warn({ err: error }, "could not read the inbox's storage for the stats");
          // Tried again by the next request, not kept for a minute.
          if (storage?.read === read) storage = null;
          return null;
        });
      storage = { read, at: Date.now() };
    }
    return Promise.race([storage.read, new Promise<null>((resolve) => setTimeout(resolve, STORAGE_WAIT_MS, null))]);
  };
  return async (req: IncomingMessage, url: URL): Promise<WebhookReply> => {
    const path = url.pathname;
    if (path === "/api/events") {
      allowMethod(req, "GET");
      return jsonReply(200, await searchEvents(await store(), eventSearch(url.searchParams)));
    }
    const eventPath = /^\/api\/events\/([^/]+)$/.exec(path);
    if (eventPath?.[1]) {
      allowMethod(req, "GET");
      const event = await showEvent(await store(), pathSegment("The event id", eventPath[1]));
      if (!event) throw new InboxError("event_not_found", 404, "No event with this id is stored.");
      return jsonReply(200, event);
    }
    const objectPath = /^\/api\/objects\/([^/]+)$/.exec(path);
    if (objectPath?.[1]) {
      allowMethod(req, "GET");
      const id = pathSegment("The object id", objectPath[1]);
      return jsonReply(200, await readObject(await store(), mirrorSchema, id));
    }
    if (path === "/api/replay") {
      allowMethod(req, "POST");
      checkSameOrigin(req);
      const { filter, dryRun } = parseReplayBody(await readJson(req));
      const result = await replay(await store(), filter, { dryRun });
      if (!dryRun) log.info({ filter, ...result }, "replay requested through the admin API");
      return jsonReply(200, { ...result, dry_run: dryRun });
    }
    if (path === "/api/prune") {
      allowMethod(req, "POST");
      checkSameOrigin(req);
      const { before, dryRun } = parsePruneBody(await readJson(req));
      if (before.getTime() > Date.now()) throw badRequest("before is in the future: the latest cut is now.");
      const result = await prune(await store(), { before, dryRun });
      if (!dryRun) {
        storage = null;
        log.info(pruneToJson(result), "prune requested through the admin API");
      }
      return jsonReply(200, pruneToJson(result));
    }
    if (path === "/api/handlers") {
      allowMethod(req, "GET");
      return jsonReply(200, { data: (await handlers.list()).map(stateToJson) });
    }
    const handlerPath = /^\/api\/handlers\/([^/]+)\/(pause|resume)$/.exec(path);
    if (handlerPath?.[1] && handlerPath[2]) {
      allowMethod(req, "POST");
      checkSameOrigin(req);
      const handler = pathSegment("The handler name", handlerPath[1]);
      if (handlerPath[2] === "resume") {
        jsonFields(await readJson(req), []);
        const lifted = await handlers.resume(handler);
        if (lifted) log.info({ handler }, "handler resumed through the admin API");
        return jsonReply(200, { handler, resumed: lifted !== null, pause: pauseToJson(lifted) });
      }
      const reason = jsonFields(await readJson(req), ["reason"]).optionalText("reason", MAX_REASON);
      const { pause, alreadyPaused } = await handlers.pause(handler, reason);
      if (!alreadyPaused) log.info({ handler, reason }, "handler paused through the admin API");
      return jsonReply(200, { handler, pause: pauseToJson(pause), already_paused: alreadyPaused });
    }
    if (path === "/api/store-health") {
      allowMethod(req, "GET");
      return jsonReply(200, await readStoreHealth(await store()));
    }
    if (path === "/api/stats") {
      allowMethod(req, "GET");
      return jsonReply(200, {
        queue: await metrics.queueState(),
        history: history.samples(),
        storage: await readStorageNow(),
      });
    }
    throw new InboxError("not_found", 404, `No admin API route ${path}.`);
  };
}

function allowMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new InboxError("method_not_allowed", 405, `Use ${method} here.`);
}

function eventSearch(params: URLSearchParams): EventSearch {
  const query = queryParams(params);
  const livemode = query.oneOf("livemode", ["true", "false"]);
  const limit = Number(query.text("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badRequest(`limit must be 1 to ${MAX_PAGE}.`);
  return {
    type: query.text("type"),
    status: query.oneOf("status", EVENT_STATUSES),
    since: query.date("since"),
    until: query.date("until"),
    objectId: query.text("object_id"),
    account: query.text("account"),
    livemode: livemode === undefined ? undefined : livemode === "true",
    query: query.text("q"),
    limit,
    cursor: query.text("cursor", MAX_CURSOR),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await collectBody(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw badRequest("The body is not JSON in UTF-8.");
  }
}
