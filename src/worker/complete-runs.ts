import type { Logger } from "pino";
import { createGroupCommit, type GroupCommit } from "../inbox/group-commit.js";
import type { Queryable, Store } from "../store/store.js";
import { isStoreUnavailable, sqlstateOf, toStoreUnavailable } from "../store/unavailable.js";
import { type AfterCommit, type DeferredWrite, runAfterCommit, writeDeferred } from "./deferred-writes.js";
import type { RunKey, RunQueries } from "./run-queries.js";

/** SQLSTATE deadlock_detected and serialization_failure: the same commit may well succeed when tried again. */
const CONFLICTS = new Set(["40P01", "40001"]);
const CONFLICT_ATTEMPTS = 3;

export type FinishedRun = RunKey & {
  attempts: number;
  /** What the handler queued with `ctx.defer`, committed with the run's success. */
  writes: readonly DeferredWrite[];
};

/**
 * Records the successes of runs that did not use `ctx.tx`, many per statement: one UPDATE for every run that
 * finished while the previous one committed, instead of a transaction per run (BEGIN, lock, update, COMMIT: four
 * round trips and a WAL flush each). Runs with deferred writes share one transaction: the UPDATE marks (and locks)
 * those still claimed by this worker, their writes follow, and one COMMIT makes both durable. When a write fails,
 * the batch rolls back and each of its runs commits alone, so that only the failing run fails.
 *
 * Resolves true when the run was marked succeeded, false when its claim was no longer this worker's (its writes
 * were not applied), or rejects with the error of its own write, or with a StoreUnavailableError when the store
 * is out of reach (nothing committed; the run comes back when its lease expires).
 */
export function createRunCompleter(
  store: Store,
  queries: RunQueries,
  workerId: string,
  now: () => Date,
  log: Logger,
): GroupCommit<FinishedRun, boolean> {
  const markAndWrite = async (db: Queryable, runs: FinishedRun[]): Promise<[boolean[], AfterCommit]> => {
    const marked = await queries.markSucceededBatch(db, runs, workerId, now());
    const markedKeys = new Set(marked.map((row) => `${row.event_id}\n${row.handler}\n${row.attempts}`));
    const isMarked = (run: FinishedRun) => markedKeys.has(`${run.eventId}\n${run.handler}\n${run.attempts}`);
    // Only the writes of runs still claimed by this worker: the others belong to whoever took them over.
    const afterCommit = await writeDeferred(
      db,
      runs.filter(isMarked).flatMap((run) => run.writes),
    );
    return [runs.map(isMarked), afterCommit];
  };

  const commitTogether = async (runs: FinishedRun[]): Promise<boolean[]> => {
    const [results, afterCommit] = runs.some((run) => run.writes.length > 0)
      ? await store.transaction((tx) => markAndWrite(tx, runs))
      : // One statement, atomic on its own: no transaction around it.
        await markAndWrite(store, runs);
    runAfterCommit(afterCommit, log);
    return results;
  };

  /** The store itself is out of reach (not just this statement failing): probed when the error could mean so. */
  const unreachable = async (error: unknown) =>
    isStoreUnavailable(error) &&
    !(await store.query("SELECT 1").then(
      () => true,
      () => false,
    ));
  const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

  /** One run's commit, tried again at once when it lost a deadlock or a serialization conflict. */
  const commitAlone = async (run: FinishedRun): Promise<boolean[]> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await commitTogether([run]);
      } catch (error) {
        if (attempt >= CONFLICT_ATTEMPTS || !CONFLICTS.has(sqlstateOf(error) ?? "")) throw error;
      }
    }
  };

  return createGroupCommit<FinishedRun, boolean>({
    maxInFlight: Math.min(2, store.concurrency),
    maxBatchSize: 500,
    async commit(runs) {
      try {
        return await commitTogether(runs);
      } catch (error) {
        // Successes alone: the one statement failed for all of them (they come back when their lease expires).
        if (!runs.some((run) => run.writes.length > 0)) throw error;
        // Out of reach: every run comes back when its lease expires, and none of them failed.
        if (await unreachable(error)) throw toStoreUnavailable(error);
        if (runs.length === 1 && !CONFLICTS.has(sqlstateOf(error) ?? "")) return [asError(error)];
        // One run's write failed, or the batch lost a deadlock: each run alone, so only a failing one fails.
        log.warn(
          { err: error, sqlstate: sqlstateOf(error), runs: runs.length },
          runs.length === 1
            ? "a run's deferred writes lost a conflict; trying again"
            : "a batch of runs' deferred writes failed; committing its runs one at a time",
        );
        const results: Array<boolean | Error> = [];
        for (const run of runs) {
          try {
            const [marked] = await commitAlone(run);
            results.push(marked === true);
          } catch (runError) {
            if (await unreachable(runError)) throw toStoreUnavailable(runError);
            results.push(asError(runError));
          }
        }
        return results;
      }
    },
  });
}
