import { InboxError } from "../errors.js";
import { eventsChannel } from "../store/listen.js";
import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";

export interface ReplayFilter {
  eventId?: string | undefined;
  /** An exact type or a wildcard such as `invoice.*`. */
  type?: string | undefined;
  /** Event `created` bounds. */
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only runs in these states; without it, every run of the selected events that is not running now. */
  statuses?: Array<"succeeded" | "failed" | "dead"> | undefined;
  handler?: string | undefined;
}

export interface ReplayResult {
  /** Runs set back to pending, with a fresh set of attempts. */
  runs: number;
  /** Events that had no handler, sent back to be matched against the handlers known now. */
  events: number;
}

/**
 * Re-runs the selected handler runs from scratch, and re-dispatches matching events that had no handler.
 * Runs in progress are left alone. With `dryRun`, only counts.
 */
export async function replay(store: Store, filter: ReplayFilter, options: { dryRun?: boolean; now?: Date } = {}) {
  if (!filter.eventId && !filter.type && !filter.since && !filter.until && !filter.statuses && !filter.handler) {
    throw new InboxError(
      "replay_unfiltered",
      400,
      "Say what to replay: an event id, --failed, --dead, --type, --since/--until or --handler.",
    );
  }
  const schema = quoteIdent(store.schema);
  const onlyRuns = filter.statuses !== undefined || filter.handler !== undefined;
  const params = [
    filter.eventId ?? null,
    filter.type ? typeToLike(filter.type) : null,
    filter.since?.toISOString() ?? null,
    filter.until?.toISOString() ?? null,
    filter.statuses ?? null,
    filter.handler ?? null,
    onlyRuns,
  ];
  const selection = `
    picked_events AS (
      SELECT id FROM ${schema}.events
       WHERE ($1::text IS NULL OR id = $1) AND ($2::text IS NULL OR type LIKE $2 ESCAPE '\\')
         AND ($3::timestamptz IS NULL OR created >= $3) AND ($4::timestamptz IS NULL OR created < $4)
    ), picked_runs AS (
      SELECT r.event_id, r.handler FROM ${schema}.handler_runs r JOIN picked_events p ON p.id = r.event_id
       WHERE r.status <> 'running' AND r.status <> 'pending'
         AND ($5::text[] IS NULL OR r.status = ANY($5::text[])) AND ($6::text IS NULL OR r.handler = $6)
    ), unhandled AS (
      SELECT e.id FROM ${schema}.events e JOIN picked_events p ON p.id = e.id
       WHERE e.status = 'no_handler' AND NOT $7::boolean
    )`;
  const sql = options.dryRun
    ? `WITH ${selection}
       SELECT (SELECT count(*) FROM picked_runs)::int AS runs, (SELECT count(*) FROM unhandled)::int AS events`
    : `WITH ${selection}, reset AS (
         UPDATE ${schema}.handler_runs r
            SET status = 'pending', attempts = 0, run_at = $8, locked_by = NULL, locked_until = NULL, finished_at = NULL
           FROM picked_runs p WHERE r.event_id = p.event_id AND r.handler = p.handler
         RETURNING 1
       ), redispatched AS (
         UPDATE ${schema}.events e SET status = 'pending' FROM unhandled u WHERE e.id = u.id RETURNING 1
       )
       SELECT (SELECT count(*) FROM reset)::int AS runs, (SELECT count(*) FROM redispatched)::int AS events`;
  const [row] = await store.query<{ runs: number; events: number }>(sql, [
    ...params,
    ...(options.dryRun ? [] : [(options.now ?? new Date()).toISOString()]),
  ]);
  const result: ReplayResult = { runs: Number(row?.runs ?? 0), events: Number(row?.events ?? 0) };
  if (!options.dryRun && result.runs + result.events > 0) {
    // Workers in other processes LISTEN for this; without it they would find the work at their next poll.
    await store.query("SELECT pg_notify($1, '')", [eventsChannel(store.schema)]);
  }
  return result;
}

/** `invoice.*` -> `invoice.%`, with LIKE's own wildcards in type names (`payment_intent`) escaped. */
function typeToLike(type: string): string {
  const escaped = type.replace(/[\\%_]/g, (char) => `\\${char}`);
  return escaped === "*" ? "%" : escaped.endsWith(".*") ? `${escaped.slice(0, -1)}%` : escaped;
}
