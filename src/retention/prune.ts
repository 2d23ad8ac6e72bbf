import { InboxError } from "../errors.js";
import { quoteIdent } from "../store/migrate.js";
import { isPostgresTimestamp } from "../store/pg-values.js";
import type { Store } from "../store/store.js";
import { dropEligibleMonths } from "./drop-partitions.js";
import { eligibility } from "./eligibility.js";
import { waitForInsertsInFlight } from "./inserts-in-flight.js";

/** Rows removed per transaction: small enough that no worker or delivery waits long on a lock prune holds. */
export const PRUNE_BATCH = 1_000;
/** Stripe redelivers an event for up to three days; a pruned id stays a duplicate at least that long after the cut. */
const REDELIVERY_WINDOW_MS = 3 * 86_400_000;

export interface PruneOptions {
  /** Events and deliveries received before this time may go. */
  before: Date;
  /** The clock's now: when pruned ids are kept until, and which kept ids have expired. */
  now?: Date | undefined;
  /** Only count what would be removed. */
  dryRun?: boolean | undefined;
  batchSize?: number | undefined;
  /** Stops between batches (the process is stopping): what was removed so far stays removed, and is returned. */
  signal?: AbortSignal | undefined;
}

export interface PruneResult {
  before: string;
  dryRun: boolean;
  /** Events whose every run succeeded, or that had no handler, with their deliveries and runs. */
  events: number;
  runs: number;
  /** The removed events' deliveries, rejected attempts and attempts whose event was pruned earlier. */
  deliveries: number;
  /** Ids of events pruned earlier, no longer needed to answer a redelivery as a duplicate. */
  expiredIds: number;
  /** The removed events' stored payloads (after compression): space Postgres reuses, not space returned to disk. */
  payloadBytes: number;
  /** Month partitions dropped whole, every row in them removable (their rows are in the counts above). */
  partitions: string[];
  /** The dropped partitions' size: space returned to the file system. */
  partitionBytes: number;
}

/**
 * Removes what retention allows, received before `before`: events whose every run succeeded or that had no handler,
 * their runs and deliveries; rejected attempts; and ids of pruned events kept past their time. A month whose every row
 * may go is dropped whole (drop-partitions.ts); the rest is deleted row by row. Work not finished,
 * and the mirror, are never touched. Safe beside receiving and workers: it deletes in small batches, never waits for
 * a row another transaction holds, and a pruned event's id is recorded before the event goes, so a redelivery
 * arriving at any moment is answered as a duplicate.
 */
export async function prune(store: Store, options: PruneOptions): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const { before } = options;
  if (!isPostgresTimestamp(before) || before.getTime() > now.getTime()) {
    throw new InboxError("invalid_request", 400, "The cut must be a time no later than now.");
  }
  const batch = options.batchSize ?? PRUNE_BATCH;
  const sql = pruneStatements(store.schema);
  const result: PruneResult = {
    before: before.toISOString(),
    dryRun: options.dryRun ?? false,
    events: 0,
    runs: 0,
    deliveries: 0,
    expiredIds: 0,
    payloadBytes: 0,
    partitions: [],
    partitionBytes: 0,
  };
  // Dry runs count rows; which months would go whole is decided when pruning.
  if (options.dryRun) return { ...result, ...(await countRemovable(store, sql, before, now)) };

  // Kept at least as long as Stripe may redeliver after the cut, and never for less than the retention itself.
  const keepUntil = new Date(
    Math.max(now.getTime() + (now.getTime() - before.getTime()), before.getTime() + REDELIVERY_WINDOW_MS),
  );
  const { signal } = options;
  const months = await dropEligibleMonths(store, { before, now, keepUntil, signal });
  result.partitions = months.partitions;
  result.partitionBytes = months.bytes;
  result.events += months.events;
  result.runs += months.runs;
  result.deliveries += months.deliveries;
  let cursor = { receivedAt: "-infinity", id: "" };
  while (!signal?.aborted) {
    const marked = await store.query<{ id: string; received_at: string }>(sql.markEvents, [
      before.toISOString(),
      cursor.receivedAt,
      cursor.id,
      batch,
      now.toISOString(),
      keepUntil.toISOString(),
    ]);
    const last = marked.at(-1);
    if (!last) break;
    cursor = { receivedAt: last.received_at, id: last.id };
    // A delivery whose statement began before the ids were marked did not see them, and would store the event again
    // once its row is deleted: waited for.
    await waitForInsertsInFlight(store);
    const [removed] = await store.transaction((tx) =>
      tx.query<{ events: number; runs: number; deliveries: number; payload_bytes: number }>(sql.removeEvents, [
        marked.map((row) => row.id),
      ]),
    );
    result.events += Number(removed?.events ?? 0);
    result.runs += Number(removed?.runs ?? 0);
    result.deliveries += Number(removed?.deliveries ?? 0);
    result.payloadBytes += Number(removed?.payload_bytes ?? 0);
  }
  result.deliveries += await removeDeliveriesWithoutEvent(store, sql, before, batch, signal);
  result.expiredIds += await expireIds(store, sql, now, batch, signal);
  return result;
}

type Statements = ReturnType<typeof pruneStatements>;

async function countRemovable(store: Store, sql: Statements, before: Date, now: Date) {
  const [counts] = await store.query<Record<"events" | "runs" | "deliveries" | "expired_ids", number>>(sql.count, [
    before.toISOString(),
    now.toISOString(),
  ]);
  return {
    events: Number(counts?.events ?? 0),
    runs: Number(counts?.runs ?? 0),
    deliveries: Number(counts?.deliveries ?? 0),
    expiredIds: Number(counts?.expired_ids ?? 0),
  };
}

/** Rejected attempts, and attempts whose event was pruned earlier, in batches from the oldest. */
async function removeDeliveriesWithoutEvent(
  store: Store,
  sql: Statements,
  before: Date,
  batch: number,
  signal: AbortSignal | undefined,
) {
  let removed = 0;
  let cursor = { receivedAt: "-infinity", id: "0" };
  while (!signal?.aborted) {
    const [row] = await store.query<{ removed: number; last_received_at: string | null; last_id: string | null }>(
      sql.removeDeliveries,
      [before.toISOString(), cursor.receivedAt, cursor.id, batch],
    );
    if (!row?.last_id || !row.last_received_at) return removed;
    removed += Number(row.removed);
    cursor = { receivedAt: row.last_received_at, id: String(row.last_id) };
  }
  return removed;
}

async function expireIds(store: Store, sql: Statements, now: Date, batch: number, signal: AbortSignal | undefined) {
  let expired = 0;
  while (!signal?.aborted) {
    const [row] = await store.query<{ removed: number }>(sql.expireIds, [now.toISOString(), batch]);
    const removed = Number(row?.removed ?? 0);
    expired += removed;
    if (removed < batch) break;
  }
  return expired;
}

function pruneStatements(schemaName: string) {
  const schema = quoteIdent(schemaName);
  const rule = eligibility(schemaName);
  return {
    /** Records the next batch of eligible events' ids as pruned, in the order received; answers them. */
    markEvents: `
      WITH picked AS (
        SELECT e.id, e.received_at FROM ${schema}.events e
         WHERE e.received_at < $1 AND e.received_at >= $2::timestamptz AND (e.received_at, e.id) > ($2::timestamptz, $3::text)
           AND ${rule.eventIsRemovable("e")}
         ORDER BY e.received_at, e.id LIMIT $4
      ), marked AS (
        INSERT INTO ${schema}.pruned_event_ids (id, pruned_at, keep_until)
        SELECT id, $5, $6 FROM picked
        ON CONFLICT (id) DO UPDATE SET keep_until = greatest(${schema}.pruned_event_ids.keep_until, excluded.keep_until)
      )
      SELECT id, to_json(received_at)#>>'{}' AS received_at FROM picked ORDER BY received_at, id`,

    /**
     * Deletes the marked events that are still removable, with their runs and deliveries. Rows another transaction
     * holds are skipped, never waited for: a replay or a claim that got there first keeps its event. The runs are
     * locked before they are judged, so none changes between the judgement and the delete. A mark left on an event
     * that stays is harmless (the event itself answers redeliveries) and expires with the other ids.
     */
    removeEvents: `
      WITH locked_events AS (
        SELECT e.id FROM ${schema}.events e
         WHERE e.id = ANY($1::text[]) AND e.status IN ('dispatched', 'no_handler')
         FOR UPDATE SKIP LOCKED
      ), locked_runs AS (
        SELECT r.event_id, r.handler, r.status FROM ${schema}.handler_runs r
         WHERE r.event_id IN (SELECT id FROM locked_events)
         FOR UPDATE SKIP LOCKED
      ), removable AS (
        SELECT l.id FROM locked_events l
         WHERE NOT EXISTS (SELECT 1 FROM locked_runs r WHERE r.event_id = l.id AND r.status <> 'succeeded')
           AND NOT EXISTS (
             SELECT 1 FROM ${schema}.handler_runs r
              WHERE r.event_id = l.id
                AND NOT EXISTS (SELECT 1 FROM locked_runs k WHERE k.event_id = r.event_id AND k.handler = r.handler))
      ), removed_runs AS (
        DELETE FROM ${schema}.handler_runs r WHERE r.event_id IN (SELECT id FROM removable) RETURNING 1
      ), removed_deliveries AS (
        DELETE FROM ${schema}.deliveries d WHERE d.event_id IN (SELECT id FROM removable) RETURNING 1
      ), removed_events AS (
        DELETE FROM ${schema}.events e WHERE e.id IN (SELECT id FROM removable)
        RETURNING pg_column_size(e.payload) AS payload_bytes
      ), unmarked AS (
        -- Only events this statement holds and keeps: one skipped may be another prune's to delete right now.
        DELETE FROM ${schema}.pruned_event_ids p
         WHERE p.id IN (SELECT id FROM locked_events) AND p.id NOT IN (SELECT id FROM removable)
      )
      SELECT (SELECT count(*) FROM removed_events)::int AS events,
             (SELECT count(*) FROM removed_runs)::int AS runs,
             (SELECT count(*) FROM removed_deliveries)::int AS deliveries,
             (SELECT coalesce(sum(payload_bytes), 0) FROM removed_events)::bigint AS payload_bytes`,

    /** The next batch of deliveries without a retained event (rejected, or their event pruned earlier). */
    removeDeliveries: `
      WITH picked AS (
        SELECT d.id, d.received_at FROM ${schema}.deliveries d
         WHERE d.received_at < $1 AND d.received_at >= $2::timestamptz AND (d.received_at, d.id) > ($2::timestamptz, $3::bigint)
         ORDER BY d.received_at, d.id LIMIT $4
      ), removed AS (
        DELETE FROM ${schema}.deliveries d USING picked p
         WHERE d.id = p.id AND ${rule.deliveryIsRemovable("d", "$1")}
        RETURNING 1
      ), last AS (
        SELECT to_json(received_at)#>>'{}' AS received_at, id FROM picked ORDER BY received_at DESC, id DESC LIMIT 1
      )
      SELECT (SELECT count(*) FROM removed)::int AS removed,
             (SELECT received_at FROM last) AS last_received_at, (SELECT id FROM last)::text AS last_id`,

    expireIds: `
      WITH expired AS (
        DELETE FROM ${schema}.pruned_event_ids WHERE id IN (
          SELECT id FROM ${schema}.pruned_event_ids WHERE keep_until < $1 ORDER BY keep_until LIMIT $2)
        RETURNING 1
      )
      SELECT count(*)::int AS removed FROM expired`,

    /** What a prune at this cut would remove now. */
    count: `
      WITH removable AS (
        SELECT e.id FROM ${schema}.events e WHERE e.received_at < $1 AND ${rule.eventIsRemovable("e")}
      )
      SELECT (SELECT count(*) FROM removable)::int AS events,
             (SELECT count(*) FROM ${schema}.handler_runs r WHERE r.event_id IN (SELECT id FROM removable))::int AS runs,
             ((SELECT count(*) FROM ${schema}.deliveries d WHERE d.event_id IN (SELECT id FROM removable))
              + (SELECT count(*) FROM ${schema}.deliveries d
                  WHERE d.received_at < $1 AND ${rule.deliveryIsRemovable("d", "$1")}))::int AS deliveries,
             (SELECT count(*) FROM ${schema}.pruned_event_ids WHERE keep_until < $2)::int AS expired_ids`,
  };
}
