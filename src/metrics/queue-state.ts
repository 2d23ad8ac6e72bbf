import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";

/** The work the inbox still has, read from the database so every process sees the same numbers. */
export interface QueueState {
  /** Events stored but not yet matched to handlers. */
  eventsAwaitingFanOut: number;
  runs: { pending: number; running: number; failed: number; dead: number };
  /** Seconds since the oldest event that still has work was received; 0 when there is none. */
  oldestPendingSeconds: number;
}

/**
 * Reads the queue's state. The pending, running and failed counts use the claim's partial indexes, the dead count
 * its own (handler_runs_dead_idx): a scrape reads the work left and the dead letters, never the succeeded runs.
 */
export async function readQueueState(store: Store): Promise<QueueState> {
  const schema = quoteIdent(store.schema);
  const [row] = await store.query<{
    events_pending: string;
    runs_pending: string;
    runs_running: string;
    runs_failed: string;
    runs_dead: string;
    oldest_seconds: number | null;
  }>(
    // Two arms, each the predicate of one claim index: one IN list of all three statuses matched neither, and
    // the planner scanned every run (EXPLAIN at 20,000 runs, none due: Seq Scan on handler_runs).
    `WITH due AS (
       SELECT status, event_id FROM ${schema}.handler_runs WHERE status IN ('pending', 'failed')
       UNION ALL
       SELECT status, event_id FROM ${schema}.handler_runs WHERE status = 'running'
     ), oldest AS (
       SELECT min(received_at) AS at FROM (
         (SELECT received_at FROM ${schema}.events WHERE status = 'pending' ORDER BY received_at LIMIT 1)
         UNION ALL
         (SELECT min(e.received_at) FROM due JOIN ${schema}.events e ON e.id = due.event_id)
       ) candidates
     )
     SELECT (SELECT count(*) FROM ${schema}.events WHERE status = 'pending') AS events_pending,
            (SELECT count(*) FROM due WHERE status = 'pending') AS runs_pending,
            (SELECT count(*) FROM due WHERE status = 'running') AS runs_running,
            (SELECT count(*) FROM due WHERE status = 'failed') AS runs_failed,
            (SELECT count(*) FROM ${schema}.handler_runs WHERE status = 'dead') AS runs_dead,
            (SELECT extract(epoch FROM now() - at)::float8 FROM oldest) AS oldest_seconds`,
  );
  return {
    eventsAwaitingFanOut: Number(row?.events_pending ?? 0),
    runs: {
      pending: Number(row?.runs_pending ?? 0),
      running: Number(row?.runs_running ?? 0),
      failed: Number(row?.runs_failed ?? 0),
      dead: Number(row?.runs_dead ?? 0),
    },
    oldestPendingSeconds: Math.max(0, Number(row?.oldest_seconds ?? 0)),
  };
}

/** Rejects after `ms` so that a database that does not answer cannot hang whoever waits (a scrape, a page). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a late failure after the timeout must not surface as unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
