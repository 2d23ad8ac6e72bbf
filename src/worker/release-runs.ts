import type { Logger } from "pino";
import type { Store } from "../store/store.js";
import type { StartedRun } from "./execute-run.js";
import type { ClaimedRunRow, RunQueries } from "./run-queries.js";

export interface RunReleaser {
  /** Runs claimed while the worker stopped, never started: back as they were, the attempt not counted. */
  unstarted(claimed: ClaimedRunRow[]): Promise<void>;
  /** Runs whose handler still runs after the grace and the abort: their writes roll back, the runs are due now. */
  abandoned(runs: Array<{ row: ClaimedRunRow; run: StartedRun }>): Promise<void>;
}

/**
 * What a worker that stops cleanly gives back at once, rather than leave it to the end of the lease (a crashed
 * worker's runs still wait for it). Failing to release is logged: those runs return when their lease expires.
 */
export function runReleaser(deps: {
  store: Store;
  queries: RunQueries;
  workerId: string;
  now: () => Date;
  log: Logger;
  /** How long the abandoned runs' rollbacks may take. */
  rollbackWaitMs: number;
}): RunReleaser {
  const { store, queries, workerId, log } = deps;
  const keysOf = (rows: ClaimedRunRow[]) =>
    rows.map((row) => ({
      eventId: row.event_id,
      handler: row.handler,
      eventCreated: row.event_created,
      attempts: row.attempts,
    }));

  return {
    async unstarted(claimed) {
      if (claimed.length === 0) return;
      try {
        const released = await queries.releaseUnstarted(store, keysOf(claimed), workerId);
        log.info({ released }, "stopping: released the runs claimed but not started");
      } catch (error) {
        log.warn(
          { err: error, runs: claimed.length },
          "could not release runs not started; they return after their lease",
        );
      }
    },

    async abandoned(runs) {
      if (runs.length === 0) return;
      const reason = new Error("The worker stopped before the handler returned; the run was released to run again.");
      // A rollback waits behind the handler's query in flight, if any: the row it still locks is left to the lease.
      await Promise.race([
        Promise.allSettled(runs.map(({ run }) => run.abandon(reason))),
        new Promise((resolve) => setTimeout(resolve, deps.rollbackWaitMs).unref()),
      ]);
      const rows = runs.map(({ row }) => row);
      try {
        const released = await queries.releaseAbandoned(store, keysOf(rows), workerId, {
          message: reason.message,
          now: deps.now(),
        });
        log.warn(
          { abandoned: rows.length, released },
          "stopping: released the runs of handlers that did not return; any other returns after its lease",
        );
      } catch (error) {
        log.warn(
          { err: error, abandoned: rows.length },
          "could not release abandoned runs; they return after their lease",
        );
      }
    },
  };
}
