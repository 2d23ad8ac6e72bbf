import { createGroupCommit, type GroupCommit } from "../inbox/group-commit.js";
import type { Store } from "../store/store.js";
import type { RunKey, RunQueries } from "./run-queries.js";

export type FinishedRun = RunKey & { attempts: number };

/**
 * Records the successes of runs that wrote nothing through `ctx.tx`, many per statement: one UPDATE for every
 * run that finished while the previous one committed, instead of a transaction per run (BEGIN, lock, update,
 * COMMIT: four round trips and a WAL flush each). Resolves true when the run was marked succeeded, false when
 * its claim was no longer this worker's.
 */
export function createRunCompleter(
  store: Store,
  queries: RunQueries,
  workerId: string,
  now: () => Date,
): GroupCommit<FinishedRun, boolean> {
  return createGroupCommit<FinishedRun, boolean>({
    maxInFlight: Math.min(2, store.concurrency),
    maxBatchSize: 500,
    async commit(runs) {
      const marked = await queries.markSucceededBatch(store, runs, workerId, now());
      const markedKeys = new Set(marked.map((row) => `${row.event_id}\n${row.handler}`));
      return runs.map((run) => markedKeys.has(`${run.eventId}\n${run.handler}`));
    },
  });
}
