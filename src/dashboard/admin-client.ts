import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InboxError, isInboxErrorCode } from "../errors.js";
import type { DeliveryRow, EventSummary, RunRow } from "../inbox/event-queries.js";
import type { StoreHealth } from "../inbox/store-health.js";
import type { PruneResult } from "../retention/prune.js";
import type { HandlerPause, HandlerState } from "../worker/handler-pauses.js";
import type { ReplayResult } from "../worker/replay.js";
import type { EventPage } from "./event-search.js";
import { type HandlerPauseJson, type HandlerStateJson, pauseFromJson, stateFromJson } from "./handler-json.js";
import { type PruneBody, type PruneResultJson, pruneFromJson } from "./prune-json.js";
import type { ReplayBody } from "./replay-request.js";

/** Where `serve` on PGlite says how to reach it: the data dir is its alone, so other commands ask it instead. */
const SERVER_FILE = "serve.json";

export interface AdvertisedServer {
  /** Removes the file, if it is still this process's. */
  withdraw(): void;
}

/** Written by `serve` once it listens; holds the pid and the URL, never the token. */
export function advertiseServer(dataDir: string, base: string): AdvertisedServer {
  const path = join(dataDir, SERVER_FILE);
  writeFileSync(path, JSON.stringify({ pid: process.pid, url: base }), { mode: 0o600 });
  return {
    withdraw() {
      if (readServerFile(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

/** The base URL of the `serve` process that holds this data dir, or null when none runs. */
export function findRunningServer(dataDir: string): string | null {
  const advertised = readServerFile(join(dataDir, SERVER_FILE));
  if (!advertised) return null;
  try {
    process.kill(advertised.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null; // a stale file from a process that died
  }
  return advertised.url;
}

function readServerFile(path: string): { pid: number; url: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { pid?: unknown; url?: unknown };
    return typeof parsed.pid === "number" && typeof parsed.url === "string"
      ? { pid: parsed.pid, url: parsed.url }
      : null;
  } catch {
    return null;
  }
}

export interface AdminClient {
  listEvents(query: Record<string, string>): Promise<EventPage>;
  showEvent(
    id: string,
  ): Promise<(EventSummary & { payload: unknown; deliveries: DeliveryRow[]; runs: RunRow[] }) | null>;
  replay(body: ReplayBody): Promise<ReplayResult & { dry_run: boolean }>;
  prune(body: PruneBody): Promise<PruneResult>;
  listHandlers(): Promise<HandlerState[]>;
  pauseHandler(handler: string, reason: string | null): Promise<{ pause: HandlerPause; alreadyPaused: boolean }>;
  /** The pause it lifted, or null when the handler was not paused. */
  resumeHandler(handler: string): Promise<HandlerPause | null>;
  /** What `doctor` checks: migrations, the database's clock, the backlog, the stored endpoints (never secrets). */
  storeHealth(): Promise<StoreHealth>;
}

/** The admin API as a library, for CLI commands that must go through a running server. */
export function adminClient(base: string, token: string | null | undefined): AdminClient {
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(path, base), {
      method: body === undefined ? "GET" : "POST",
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!response.ok) {
      throw new InboxError(
        isInboxErrorCode(answer.error?.code) ? answer.error?.code : "admin_api_failed",
        response.status,
        `The running server at ${base} answered: ${answer.error?.message ?? response.status}`,
      );
    }
    return answer as T;
  };
  return {
    listEvents: (query) => call(`/api/events?${new URLSearchParams(query)}`),
    showEvent: (id) =>
      call<Awaited<ReturnType<AdminClient["showEvent"]>>>(`/api/events/${encodeURIComponent(id)}`).catch(
        (error: unknown) => {
          if (error instanceof InboxError && error.code === "event_not_found") return null;
          throw error;
        },
      ),
    replay: (body) => call("/api/replay", body),
    prune: async (body) => pruneFromJson(await call<PruneResultJson>("/api/prune", body)),
    listHandlers: async () => (await call<{ data: HandlerStateJson[] }>("/api/handlers")).data.map(stateFromJson),
    async pauseHandler(handler, reason) {
      const answer = await call<{ pause: HandlerPauseJson; already_paused: boolean }>(
        `/api/handlers/${encodeURIComponent(handler)}/pause`,
        { reason },
      );
      return { pause: pauseFromJson(answer.pause), alreadyPaused: answer.already_paused };
    },
    resumeHandler: async (handler) =>
      pauseFromJson(
        (await call<{ pause: HandlerPauseJson | null }>(`/api/handlers/${encodeURIComponent(handler)}/resume`, {}))
          .pause,
      ),
    storeHealth: () => call("/api/store-health"),
  };
}
