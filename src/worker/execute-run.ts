import type { Logger } from "pino";
import type Stripe from "stripe";
import { RunLostError, StoreUnavailableError } from "../errors.js";
import type { GroupCommit } from "../inbox/group-commit.js";
import type { Store } from "../store/store.js";
import { isStoreUnavailable } from "../store/unavailable.js";
import type { FinishedRun } from "./complete-runs.js";
import { type AfterCommit, DeferredQueue, runAfterCommit, writeDeferred } from "./deferred-writes.js";
import { fetchFullEvent } from "./fetch-event.js";
import type { HandlerContext, HandlerRegistry } from "./registry.js";
import { retryDelayMs } from "./retry.js";
import type { ClaimedRunRow, RunQueries } from "./run-queries.js";
import { lazyRunTransaction } from "./run-transaction.js";
import type { Semaphore } from "./semaphore.js";

export type RunOutcome = "succeeded" | "failed" | "dead" | "lost";

export interface ExecuteDeps {
  store: Store;
  queries: RunQueries;
  registry: HandlerRegistry;
  /** Run transactions open at once: a handler's first query waits for a permit (see runTransactionsAtOnce). */
  runTransactions: Semaphore;
  /** Records the successes of runs that wrote nothing through `ctx.tx`, in batches. */
  completer: GroupCommit<FinishedRun, boolean>;
  workerId: string;
  leaseMs: number;
  now: () => Date;
  log: Logger;
  signal: AbortSignal;
  onError?: ((error: unknown, event: unknown, ctx: HandlerContext) => void) | undefined;
  /** The Stripe client for `ctx.fetchEvent`; throws a ConfigError when no API key is configured. */
  stripe: () => Stripe;
}

export interface RecordedRun {
  outcome: RunOutcome;
  /** The database failed the run (its connection was lost), not its handler: the circuit breaker does not count it. */
  byStore: boolean;
}

/** What a run leaves once its handler has returned: its slot is free, its outcome is still being recorded. */
export interface HandlerReturned {
  recorded: Promise<RecordedRun>;
}

/** A run whose handler was called. */
export interface StartedRun {
  returned: Promise<HandlerReturned>;
  /**
   * For a handler still running when its worker stops: rolls back the run's transaction and refuses its later
   * queries, so that nothing it does can commit once the run is released to other workers.
   */
  abandon(reason: Error): Promise<void>;
}

const MAX_ERROR_TEXT = 8_000;

/**
 * Runs one claimed (event, handler). When the handler first queries through `ctx.tx`, a transaction begins that
 * re-locks the run row and checks the claim is still this worker's; the handler's writes and the run's success
 * then commit together, so for effects in the same database a run succeeds exactly once, even when a lease
 * expired and another worker took the run over. A handler that never uses `ctx.tx` holds no connection, and its
 * success is recorded in a batch, again only while the claim is this worker's.
 */
export function executeRun(deps: ExecuteDeps, claimed: ClaimedRunRow): StartedRun {
  const startedAt = Date.now();
  const handler = deps.registry.get(claimed.handler);
  const run = {
    eventId: claimed.event_id,
    handler: claimed.handler,
    eventCreated: claimed.event_created,
    attempts: claimed.attempts,
    workerId: deps.workerId,
  };
  const event: unknown = JSON.parse(claimed.payload);
  // The type from the payload already parsed for the handler: no column to add to the claim.
  const type = (event as { type?: unknown } | null)?.type;
  const log = deps.log.child({ eventId: run.eventId, type, handler: run.handler, attempt: run.attempts });
  const transaction = lazyRunTransaction(
    deps.store,
    async (tx) => {
      // Postgres cuts off a transaction left idle for longer than what remains of the lease, releasing the run.
      const remainingLeaseMs = Math.max(1, deps.leaseMs - (Date.now() - startedAt));
      if (!(await deps.queries.lockOwnRun(tx, run, remainingLeaseMs))) {
        throw new RunLostError(`The claim on ${run.eventId} for ${run.handler} expired and was taken over.`);
      }
    },
    deps.runTransactions,
  );
  const deferred = new DeferredQueue();
  const context: HandlerContext = {
    attempt: run.attempts,
    idempotencyKey: `${run.eventId}:${run.handler}`,
    log,
    signal: deps.signal,
    tx: transaction.tx,
    sql: (sql, params) => transaction.tx.query(sql, params),
    defer: deferred.defer,
    fetchEvent: () => fetchFullEvent(deps.stripe(), event as Parameters<typeof fetchFullEvent>[1]),
  };

  /** `knownStoreFailure`: the database's error behind the failure, when the caller knows it (else the transaction's). */
  const recordFailure = async (error: unknown, knownStoreFailure?: unknown): Promise<RecordedRun> => {
    // First: the transaction holds the run's row, which the failure is written to.
    await transaction.rollback(error);
    if (error instanceof RunLostError) return { outcome: "lost", byStore: false };
    const storeFailure = knownStoreFailure ?? transaction.storeFailure;
    const byStore = storeFailure !== undefined && !(storeFailure instanceof RunLostError);
    // Since the last replay: a replayed run has a fresh budget, and its backoff starts again from the base delay.
    const attemptSinceReplay = run.attempts - claimed.attempts_before_replay;
    const outOfAttempts = attemptSinceReplay >= claimed.max_attempts;
    const retryAt =
      outOfAttempts || !handler
        ? null
        : new Date(deps.now().getTime() + retryDelayMs(handler.retry, attemptSinceReplay));
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_TEXT);
    const stack = error instanceof Error && error.stack ? error.stack.slice(0, MAX_ERROR_TEXT) : null;
    const failed = byStore ? "the run's database connection failed" : "handler failed";
    log.warn(
      { err: error, retryAt, ...(byStore && { storeError: storeFailure }) },
      `${failed}; ${retryAt ? "will retry" : "dead-lettered"}`,
    );
    try {
      await deps.queries.markFailed(deps.store, run, { message, stack, retryAt, now: deps.now() });
    } catch (recordError) {
      // The claim stays `running`: it comes back when the lease expires, and runs again then.
      log.error({ err: recordError }, "could not record the failed run");
    }
    if (handler) {
      try {
        deps.onError?.(error, event, context);
      } catch (hookError) {
        log.error({ err: hookError }, "onError hook threw");
      }
    }
    return { outcome: retryAt ? "failed" : "dead", byStore };
  };

  const recordSuccess = async (): Promise<RecordedRun> => {
    if (transaction.opened) {
      let afterCommit: AfterCommit = [];
      try {
        await transaction.commit(async (tx) => {
          afterCommit = await writeDeferred(tx, deferred.writes());
          await deps.queries.markSucceeded(tx, run, deps.now());
        });
      } catch (error) {
        return recordFailure(error);
      }
      runAfterCommit(afterCommit, log);
      return { outcome: "succeeded", byStore: false };
    }
    try {
      const marked = await deps.completer.submit({ ...run, writes: deferred.writes() });
      return { outcome: marked ? "succeeded" : "lost", byStore: false };
    } catch (error) {
      // The run's own deferred write failed: the run failed, as if the handler had thrown. An unreachable store
      // is not the handler's failure: the run comes back when its lease expires.
      if (!deferred.isEmpty && !(error instanceof StoreUnavailableError)) {
        // The batch's transaction lost its connection, and the store answered again by the time it was probed.
        return recordFailure(error, isStoreUnavailable(error) ? error : undefined);
      }
      log.error({ err: error }, "could not record the run's success; it runs again when its lease expires");
      return { outcome: "lost", byStore: true };
    }
  };

  const returned = (async (): Promise<HandlerReturned> => {
    try {
      if (!handler) throw new Error(`No handler named "${run.handler}" in this process.`);
      await handler.fn(event, context);
    } catch (error) {
      deferred.close();
      return { recorded: recordFailure(error) };
    }
    deferred.close();
    return { recorded: recordSuccess() };
  })();
  return { returned, abandon: (reason) => transaction.abandon(reason) };
}
