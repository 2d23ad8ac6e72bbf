import { InboxError } from "../errors.js";
import { eventsChannel } from "../store/listen.js";
import { quoteIdent } from "../store/migrate.js";
import { isPostgresText, isPostgresTimestamp } from "../store/pg-values.js";
import type { Store } from "../store/store.js";

export const REPLAY_STATUSES = ["succeeded", "failed", "dead"] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** Which events, then which of their runs, to run again. At least one of the event or run filters is required. */
export interface ReplayFilter {
  eventId?: string | undefined;
  /** An exact type or a wildcard such as `invoice.*`. */
  type?: string | undefined;
  /** Event `created` bounds: since is inclusive, until exclusive. */
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only runs in these states. */
  statuses?: readonly ReplayStatus[] | undefined;
  /** Only these handlers' runs, whatever their state (succeeded ones too) unless `statuses` says otherwise. */
  handlers?: readonly string[] | undefined;
  /** Every handler of the selected events again, the ones that succeeded too. */
  all?: boolean | undefined;
}

export interface ReplayOptions {
  /** Only count what would be replayed. */
  dryRun?: boolean | undefined;
  /** When the replayed runs are due (the workers' clock); now by default. */
  now?: Date | undefined;
}

export interface ReplayResult {
  /** Runs set back to pending, with a fresh budget of attempts (their attempt count goes on). */
  runs: number;
  /** Events that had no handler, sent back to be matched against the handlers known now. */
  events: number;
  /** The replayed runs by handler, by name. */
  handlers: Array<{ handler: string; runs: number }>;
}

/** Without statuses, handlers or all: the runs that did not succeed. */
const DEFAULT_STATUSES: readonly ReplayStatus[] = ["failed", "dead"];
const MAX_TEXT = 255;

/**
 * Runs handlers again. Without `statuses`, `handlers` or `all`, only the runs that did not succeed (failed, dead)
 * run again, and events that had no handler are re-dispatched: a handler that succeeded is not repeated, with its
 * side effects, unless asked for. A replayed run keeps its attempt count and history, and gets the handler's budget
 * of attempts afresh. Runs pending or running are left alone. With `dryRun`, only counts.
 */
export async function replay(store: Store, filter: ReplayFilter, options: ReplayOptions = {}): Promise<ReplayResult> {
  checkFilter(filter);
  const schema = quoteIdent(store.schema);
  const narrowsRuns = filter.statuses !== undefined || filter.handlers !== undefined;
  const statuses = filter.statuses ?? (filter.handlers || filter.all ? REPLAY_STATUSES : DEFAULT_STATUSES);
  const params = [
    filter.eventId || null,
    filter.type ? typeToLike(filter.type) : null,
    filter.since?.toISOString() ?? null,
    filter.until?.toISOString() ?? null,
    statuses,
    filter.handlers ?? null,
    !narrowsRuns,
  ];
  const selection = `
    picked_events AS (
      SELECT id FROM ${schema}.events
       WHERE ($1::text IS NULL OR id = $1) AND ($2::text IS NULL OR type LIKE $2 ESCAPE '\\')
         AND ($3::timestamptz IS NULL OR created >= $3) AND ($4::timestamptz IS NULL OR created < $4)
    ), picked_runs AS (
      SELECT r.event_id, r.handler FROM ${schema}.handler_runs r JOIN picked_events p ON p.id = r.event_id
       WHERE r.status = ANY($5::text[]) AND ($6::text[] IS NULL OR r.handler = ANY($6::text[]))
    ), unhandled AS (
      SELECT e.id FROM ${schema}.events e JOIN picked_events p ON p.id = e.id
       WHERE e.status = 'no_handler' AND $7::boolean
    )`;
  const missing = `$1::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${schema}.events WHERE id = $1)`;
  const byHandler = (runs: string) =>
    `(SELECT coalesce(json_agg(json_build_object('handler', handler, 'runs', runs) ORDER BY handler), '[]')
        FROM (SELECT handler, count(*)::int AS runs FROM ${runs} GROUP BY handler) h)`;
  // The statuses are checked again in each UPDATE: a worker may claim a run between the selection and the update,
  // and Postgres re-evaluates an UPDATE's own conditions on the row it waited for. A running run is not reset.
  const sql = options.dryRun
    ? `WITH ${selection}
       SELECT ${missing} AS missing, (SELECT count(*) FROM unhandled)::int AS events, ${byHandler("picked_runs")} AS handlers`
    : `WITH ${selection}, reset AS (
         UPDATE ${schema}.handler_runs r
            SET status = 'pending', attempts_before_replay = r.attempts, replays = r.replays + 1, replayed_at = $8,
                run_at = $8, locked_by = NULL, locked_until = NULL, finished_at = NULL
           FROM picked_runs p
          WHERE r.event_id = p.event_id AND r.handler = p.handler AND r.status = ANY($5::text[])
         RETURNING r.handler
       ), redispatched AS (
         UPDATE ${schema}.events e SET status = 'pending' FROM unhandled u
          WHERE e.id = u.id AND e.status = 'no_handler'
         RETURNING 1
       )
       SELECT ${missing} AS missing, (SELECT count(*) FROM redispatched)::int AS events, ${byHandler("reset")} AS handlers`;
  const [row] = await store.query<{ missing: boolean; events: number; handlers: unknown }>(sql, [
    ...params,
    ...(options.dryRun ? [] : [(options.now ?? new Date()).toISOString()]),
  ]);
  if (row?.missing) {
    throw new InboxError("event_not_found", 404, `No event ${filter.eventId} is stored: nothing to replay.`);
  }
  const handlers = parseJson(row?.handlers ?? []) as ReplayResult["handlers"];
  const result: ReplayResult = {
    runs: handlers.reduce((sum, { runs }) => sum + runs, 0),
    events: Number(row?.events ?? 0),
    handlers,
  };
  if (!options.dryRun && result.runs + result.events > 0) {
    // Workers in other processes LISTEN for this; without it they would find the work at their next poll.
    await store.query("SELECT pg_notify($1, '')", [eventsChannel(store.schema)]);
  }
  return result;
}

/** A filter the caller got wrong is a 400 here, never a query Postgres refuses. */
function checkFilter(filter: ReplayFilter): void {
  const invalid = (message: string) => new InboxError("invalid_request", 400, message);
  const { eventId, type, since, until, statuses, handlers, all } = filter;
  if (!eventId && !type && !since && !until && !statuses && !handlers) {
    throw new InboxError(
      "replay_unfiltered",
      400,
      "Say what to replay: an event id, --failed, --dead, --succeeded, --type, --since/--until or --handler.",
    );
  }
  for (const [name, text] of [
    ["event id", eventId],
    ["type", type],
    ...(handlers ?? []).map((handler) => ["handler", handler] as const),
  ] as const) {
    if (text !== undefined && (!isPostgresText(text) || text.length > MAX_TEXT)) {
      throw invalid(`The ${name} must be text of at most ${MAX_TEXT} characters, without NUL.`);
    }
  }
  for (const [name, date] of [
    ["since", since],
    ["until", until],
  ] as const) {
    if (date !== undefined && !isPostgresTimestamp(date)) {
      throw invalid(`${name} must be a date between the years 0001 and 9999.`);
    }
  }
  if (statuses?.length === 0 || statuses?.some((status) => !(REPLAY_STATUSES as readonly string[]).includes(status))) {
    throw invalid(`Replay by status takes ${REPLAY_STATUSES.join(", ")}; pending work runs anyway.`);
  }
  if (handlers?.length === 0) throw invalid("Name at least one handler, or leave the handlers out.");
  if (all && statuses) throw invalid("all replays runs in every state; leave it out to replay by status.");
}

/** node-postgres parses json; PGlite may hand it over as text. */
function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** `invoice.*` -> `invoice.%`, with LIKE's own wildcards in type names (`payment_intent`) escaped. */
function typeToLike(type: string): string {
  const escaped = type.replace(/[\\%_]/g, (char) => `\\${char}`);
  return escaped === "*" ? "%" : escaped.endsWith(".*") ? `${escaped.slice(0, -1)}%` : escaped;
}
