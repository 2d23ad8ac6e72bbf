import { quoteIdent } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";

/** The SQL of the worker stages, in one place. Times are passed in (an injectable clock), never `now()`. */
export function runQueries(schemaName: string) {
  const schema = quoteIdent(schemaName);
  return {
    /** Events no worker has fanned out yet, locked so that concurrent workers take different ones. */
    async takePendingEvents(tx: Queryable, limit: number) {
      return tx.query<{ id: string; type: string; created: string; object_id: string | null }>(
        `SELECT id, type, created::text AS created, data_object_id AS object_id FROM ${schema}.events
          WHERE status = 'pending' ORDER BY received_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
        { prepareAs: "si_take_pending_events" },
      );
    },

    async insertRuns(tx: Queryable, runs: PlannedRun[], now: Date) {
      if (runs.length === 0) return;
      await tx.query(
        `INSERT INTO ${schema}.handler_runs (event_id, handler, max_attempts, run_at, ordering_key, event_created)
         SELECT event_id, handler, max_attempts, $5, ordering_key, event_created
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $6::timestamptz[])
             AS r(event_id, handler, max_attempts, ordering_key, event_created)
         -- The primary key on (event_id, handler) is each partition's: a run lands in its event's month.
         ON CONFLICT DO NOTHING`,
        [
          runs.map((run) => run.eventId),
          runs.map((run) => run.handler),
          runs.map((run) => run.maxAttempts),
          runs.map((run) => run.orderingKey),
          now.toISOString(),
          runs.map((run) => run.eventCreated),
        ],
        { prepareAs: "si_insert_runs" },
      );
    },

    async markFannedOut(tx: Queryable, events: Array<{ id: string; created: string; dispatched: boolean }>) {
      await tx.query(
        `UPDATE ${schema}.events e SET status = CASE WHEN k.dispatched THEN 'dispatched' ELSE 'no_handler' END
           FROM unnest($1::text[], $2::timestamptz[], $3::bool[]) AS k(id, created, dispatched)
          -- The partition key lets Postgres look in the event's partition only.
          WHERE e.id = k.id AND e.created = k.created`,
        [
          events.map((event) => event.id),
          events.map((event) => event.created),
          events.map((event) => event.dispatched),
        ],
        { prepareAs: "si_mark_fanned_out" },
      );
    },

    /**
     * Claims due runs of the handlers this worker knows. Rows locked by a running handler's transaction are
     * skipped; a crashed worker's claims come back when their lease expires. An ordered run waits while an
     * earlier event about the same object is not finished, or not yet fanned out into runs: another worker may be
     * fanning out the batch that holds it right now.
     *
     * `anyOrdered` says whether any of the handlers is ordered. When none is, their runs carry no ordering key and
     * the statement leaves out the order check: its subqueries would name every month's partitions of both tables
     * again, which Postgres (and PGlite, which plans each statement afresh) pays for in planning. Runs made while a
     * handler was ordered and claimed after it no longer is run as the handler is configured now: unordered.
     */
    async claimRuns(
      db: Queryable,
      claim: { handlers: string[]; anyOrdered: boolean; limit: number; workerId: string; now: Date; leaseMs: number },
    ) {
      // The limit is written into the statement, one prepared statement per value: with LIMIT as a parameter the
      // generic plan assumes a tenth of the table and joins the update through a seq scan of every run
      // (EXPLAIN of the generic plan at 10,000 runs: hash join over all of them instead of 4 key lookups).
      const limit = Math.max(1, Math.trunc(claim.limit));
      // Runs that wait behind an earlier one about the same object (see above), for both kinds of claimable run.
      const inOrder = !claim.anyOrdered
        ? "true"
        : `(r.ordering_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM ${schema}.handler_runs p
               WHERE p.handler = r.handler AND p.ordering_key = r.ordering_key
                 AND p.status NOT IN ('succeeded', 'dead')
                 AND (p.event_created, p.event_id) < (r.event_created, r.event_id))
            AND NOT EXISTS (
              SELECT 1 FROM ${schema}.events e
               WHERE e.status = 'pending' AND e.data_object_id = r.ordering_key
                 AND (e.created, e.id) < (r.event_created, r.event_id)))`;
      // Two scans, each on its own partial index (the status conditions repeat the indexes' predicates so the
      // planner uses them): expired leases first, then due runs. Each stops after `limit` rows.
      return db.query<ClaimedRunRow>(
        `WITH expired AS (
           SELECT r.event_id, r.handler, r.event_created FROM ${schema}.handler_runs r
            WHERE r.status = 'running' AND r.locked_until < $2 AND r.handler = ANY($1::text[]) AND ${inOrder}
            ORDER BY r.locked_until
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
         ), ready AS (
           SELECT r.event_id, r.handler, r.event_created FROM ${schema}.handler_runs r
            WHERE r.status IN ('pending', 'failed') AND r.run_at <= $2 AND r.handler = ANY($1::text[]) AND ${inOrder}
            ORDER BY r.run_at
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
         ), due AS (
           SELECT * FROM expired UNION ALL SELECT * FROM ready LIMIT ${limit}
         )
         UPDATE ${schema}.handler_runs r
            SET status = 'running', attempts = r.attempts + 1, locked_by = $3, locked_until = $4, started_at = $2
           FROM due
          -- The partition keys let Postgres look in one partition of each table, not in every one.
          WHERE r.event_id = due.event_id AND r.handler = due.handler AND r.event_created = due.event_created
         RETURNING r.event_id, r.handler, r.event_created::text AS event_created, r.attempts, r.max_attempts,
                   r.attempts_before_replay,
                   (SELECT e.payload::text FROM ${schema}.events e
                     WHERE e.id = r.event_id AND e.created = r.event_created) AS payload`,
        [
          claim.handlers,
          claim.now.toISOString(),
          claim.workerId,
          new Date(claim.now.getTime() + claim.leaseMs).toISOString(),
        ],
        { prepareAs: `si_claim_runs_${claim.anyOrdered ? "" : "unordered_"}${limit}` },
      );
    },

    /**
     * Refreshes the planner's statistics of the run tables. They fill faster than autovacuum looks (once a
     * minute): planned on the statistics of a nearly empty table, the claim became a bitmap scan of every due run
     * and of the whole primary key, then a sort: O(runs) per claim (auto_explain at 10,000 runs: 3.7 ms, 21,000
     * index entries read, to claim 4).
     *
     * The claim plans each partition on its own statistics. ANALYZE of a partitioned table samples the whole tree and
     * then each partition again; only the partitions changed since their last ANALYZE are analysed here.
     */
    async refreshStatistics(store: Queryable) {
      const changed = await store.query<{ partition: string }>(
        `SELECT c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
          WHERE i.inhparent IN ($1::regclass, $2::regclass)
            AND (coalesce(s.n_mod_since_analyze, 1) > 0 OR c.reltuples < 0)`,
        [`${schema}.handler_runs`, `${schema}.events`],
      );
      if (changed.length === 0) return;
      await store.query(`ANALYZE ${changed.map(({ partition }) => `${schema}.${quoteIdent(partition)}`).join(", ")}`);
    },

    /** Inside the run's transaction: holds the row for the handler's duration, if this claim is still ours. */
    async lockOwnRun(tx: Queryable, run: RunKey & { attempts: number; workerId: string }, idleTimeoutMs: number) {
      // In the same round trip: a handler idle inside its transaction for longer than the lease is cut off by
      // Postgres, which rolls it back and releases the run for another worker.
      const rows = await tx.query(
        `SELECT set_config('idle_in_transaction_session_timeout', $5, true) FROM ${schema}.handler_runs
          WHERE event_id = $1 AND handler = $2 AND event_created = $6 AND attempts = $3 AND locked_by = $4
            AND status = 'running'
          FOR UPDATE`,
        [run.eventId, run.handler, run.attempts, run.workerId, String(Math.ceil(idleTimeoutMs)), run.eventCreated],
        { prepareAs: "si_lock_own_run" },
      );
      return rows.length === 1;
    },

    async markSucceeded(tx: Queryable, run: RunKey, now: Date) {
      await tx.query(
        `UPDATE ${schema}.handler_runs
            SET status = 'succeeded', finished_at = $3, locked_by = NULL, locked_until = NULL
          WHERE event_id = $1 AND handler = $2 AND event_created = $4`,
        [run.eventId, run.handler, now.toISOString(), run.eventCreated],
        { prepareAs: "si_mark_succeeded" },
      );
    },

    /**
     * Marks runs succeeded in one statement, each only if its claim is still this worker's: a run whose lease
     * expired and was taken over is left to its new owner. Returns the runs it marked, with the attempt: this
     * worker may have taken back its own expired claim, so two attempts of one run can be in the same batch.
     */
    async markSucceededBatch(
      store: Queryable,
      runs: Array<RunKey & { attempts: number }>,
      workerId: string,
      now: Date,
    ) {
      return store.query<{ event_id: string; handler: string; attempts: number }>(
        `UPDATE ${schema}.handler_runs r
            SET status = 'succeeded', finished_at = $5, locked_by = NULL, locked_until = NULL
           FROM unnest($1::text[], $2::text[], $3::int[], $6::timestamptz[]) AS k(event_id, handler, attempts, event_created)
          -- locked_by is cleared whenever a run leaves 'running'. Not naming the status keeps the planner on
          -- the primary key: with it, a scan of every running run in the lease index looked cheaper.
          WHERE r.event_id = k.event_id AND r.handler = k.handler AND r.event_created = k.event_created
            AND r.attempts = k.attempts AND r.locked_by = $4
         RETURNING r.event_id, r.handler, r.attempts`,
        [
          runs.map((run) => run.eventId),
          runs.map((run) => run.handler),
          runs.map((run) => run.attempts),
          workerId,
          now.toISOString(),
          runs.map((run) => run.eventCreated),
        ],
        { prepareAs: "si_mark_succeeded_batch" },
      );
    },

    /** Records a failed attempt if the claim is still ours: retried at `retryAt`, or dead when out of attempts. */
    async markFailed(
      db: Queryable,
      run: RunKey & { attempts: number; workerId: string },
      failure: { message: string; stack: string | null; retryAt: Date | null; now: Date },
    ) {
      await db.query(
        `UPDATE ${schema}.handler_runs
            SET status = CASE WHEN $5::timestamptz IS NULL THEN 'dead' ELSE 'failed' END,
                run_at = coalesce($5::timestamptz, run_at), last_error = $6, last_error_stack = $7,
                finished_at = $8, locked_by = NULL, locked_until = NULL
          WHERE event_id = $1 AND handler = $2 AND event_created = $9 AND attempts = $3 AND locked_by = $4`,
        [
          run.eventId,
          run.handler,
          run.attempts,
          run.workerId,
          failure.retryAt?.toISOString() ?? null,
          failure.message,
          failure.stack,
          failure.now.toISOString(),
          run.eventCreated,
        ],
        { prepareAs: "si_mark_failed" },
      );
    },

    /**
     * Gives back runs this worker claimed while stopping and never started: as they were before the claim, but for
     * `started_at` (the claim's) and a lease taken over from a crashed worker (its attempt stays counted).
     */
    async releaseUnstarted(db: Queryable, runs: Array<RunKey & { attempts: number }>, workerId: string) {
      const released = await db.query(
        `UPDATE ${schema}.handler_runs r
            SET status = CASE WHEN r.attempts > 1 THEN 'failed' ELSE 'pending' END, attempts = r.attempts - 1,
                started_at = CASE WHEN r.attempts > 1 THEN r.started_at END, locked_by = NULL, locked_until = NULL
           FROM unnest($1::text[], $2::text[], $3::int[]) AS k(event_id, handler, attempts)
          WHERE r.event_id = k.event_id AND r.handler = k.handler AND r.attempts = k.attempts
            AND r.locked_by = $4 AND r.status = 'running'
         RETURNING r.event_id`,
        [runs.map((run) => run.eventId), runs.map((run) => run.handler), runs.map((run) => run.attempts), workerId],
      );
      return released.length;
    },

    /**
     * Gives back runs whose handler this worker abandoned when it stopped, due again now: the attempt counts. Rows
     * still locked by their own transaction (a query of the handler's still running) are left to their lease.
     */
    async releaseAbandoned(
      db: Queryable,
      runs: Array<RunKey & { attempts: number }>,
      workerId: string,
      failure: { message: string; now: Date },
    ) {
      const released = await db.query(
        `WITH abandoned AS (
           SELECT r.event_id, r.handler FROM ${schema}.handler_runs r
             JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(event_id, handler, attempts)
               ON r.event_id = k.event_id AND r.handler = k.handler AND r.attempts = k.attempts
            WHERE r.locked_by = $4 AND r.status = 'running'
            FOR UPDATE OF r SKIP LOCKED
         )
         UPDATE ${schema}.handler_runs r
            SET status = 'failed', run_at = $6, last_error = $5, last_error_stack = NULL, finished_at = $6,
                locked_by = NULL, locked_until = NULL
           FROM abandoned
          WHERE r.event_id = abandoned.event_id AND r.handler = abandoned.handler
         RETURNING r.event_id`,
        [
          runs.map((run) => run.eventId),
          runs.map((run) => run.handler),
          runs.map((run) => run.attempts),
          workerId,
          failure.message,
          failure.now.toISOString(),
        ],
      );
      return released.length;
    },
  };
}

export type RunQueries = ReturnType<typeof runQueries>;

export interface RunKey {
  eventId: string;
  handler: string;
  /**
   * The run's partition key: statements that name it look in one partition, not in every month's. Selected as text
   * and passed back as it came, so it matches the stored value to the microsecond.
   */
  eventCreated: string;
}

export interface PlannedRun extends RunKey {
  maxAttempts: number;
  orderingKey: string | null;
}

export interface ClaimedRunRow {
  event_id: string;
  handler: string;
  event_created: string;
  /** Every attempt so far, this one included, across replays. */
  attempts: number;
  /** The attempts each replay allows afresh (the handler's retry policy when the run was made). */
  max_attempts: number;
  /** `attempts` when the run was last replayed (0 if never): the attempts before it do not count against the budget. */
  attempts_before_replay: number;
  payload: string;
}
