import { REPLAY_STATUSES, type ReplayFilter, type ReplayStatus } from "../worker/replay.js";
import { badRequest, jsonFields } from "./admin-input.js";

/** The body of `POST /api/replay`, as the dashboard and `stripe-inbox replay` send it. */
export interface ReplayBody {
  event_id?: string;
  type?: string;
  /** One status, or several comma-separated (`failed,dead`). */
  status?: string;
  since?: string;
  until?: string;
  /** One handler's name or several. */
  handler?: string | string[];
  /** Succeeded runs too, of every handler. */
  all?: boolean;
  dry_run?: boolean;
}

const REPLAY_KEYS = ["event_id", "handler", "type", "status", "since", "until", "all", "dry_run"] as const;

/**
 * Only the filters replay applies exactly, each of its own type: an unknown key, a null or a wrong type is refused
 * rather than ignored (ignored, it would replay more), and `dry_run` must be a JSON boolean (`"true"` is not one).
 */
export function parseReplayBody(body: unknown): { filter: ReplayFilter; dryRun: boolean } {
  const fields = jsonFields(body, REPLAY_KEYS);
  const statuses = fields.text("status")?.split(",");
  if (statuses?.some((status) => !(REPLAY_STATUSES as readonly string[]).includes(status))) {
    throw badRequest(`Replay by status takes ${REPLAY_STATUSES.join(", ")}; pending work runs anyway.`);
  }
  return {
    filter: {
      eventId: fields.text("event_id"),
      handlers: fields.texts("handler"),
      type: fields.text("type"),
      statuses: statuses as ReplayStatus[] | undefined,
      since: fields.date("since"),
      until: fields.date("until"),
      all: fields.boolean("all"),
    },
    dryRun: fields.boolean("dry_run") ?? false,
  };
}

/** The filter as `POST /api/replay` takes it. */
export function replayBody(filter: ReplayFilter, dryRun: boolean): ReplayBody {
  return {
    ...(filter.eventId && { event_id: filter.eventId }),
    ...(filter.type && { type: filter.type }),
    ...(filter.since && { since: filter.since.toISOString() }),
    ...(filter.until && { until: filter.until.toISOString() }),
    ...(filter.handlers && { handler: [...filter.handlers] }),
    ...(filter.statuses && { status: filter.statuses.join(",") }),
    ...(filter.all && { all: true }),
    dry_run: dryRun,
  };
}
