import type { Logger } from "pino";
import type Stripe from "stripe";
import { StoreUnavailableError } from "../errors.js";
import type { GroupCommit } from "../inbox/group-commit.js";
import type { Store } from "../store/store.js";
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

/** What a run leaves once its handler has returned: its slot is free, its outcome is still being recorded. */
export interface HandlerReturned {
  recorded: Promise<RunOutcome>;
}

const MAX_ERROR_TEXT = 8_000;

/** The claim was no longer this worker's when the handler first used its transaction. */
class RunLost extends Error {}

/**
 * Runs one claimed (event, handler). When the handler first queries through `ctx.tx`, a transaction begins that
 * re-locks the run row and checks the claim is still this worker's; the handler's writes and the run's success
 * then commit together, so for effects in the same database a run succeeds exactly once, even when a lease
 * expired and another worker took the run over. A handler that never uses `ctx.tx` holds no connection, and its
 * success is recorded in a batch, again only while the claim is this worker's.
 */
export async function executeRun(deps: ExecuteDeps, claimed: ClaimedRunRow): Promise<HandlerReturned> {
  const startedAt = Date.now();
  const handler = deps.registry.get(claimed.handler);
  const run = {
    eventId: claimed.event_id,
    handler: claimed.handler,
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
        throw new RunLost(`The claim on ${run.eventId} for ${run.handler} expired and was taken over.`);
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

  const recordFailure = async (error: unknown): Promise<RunOutcome> => {
    // First: the transaction holds the run's row, which the failure is written to.
    await transaction.rollback(error);
    if (error instanceof RunLost) return "lost";
    const outOfAttempts = run.attempts >= claimed.max_attempts;
    const retryAt =
      outOfAttempts || !handler ? null : new Date(deps.now().getTime() + retryDelayMs(handler.retry, run.attempts));
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_TEXT);
    const stack = error instanceof Error && error.stack ? error.stack.slice(0, MAX_ERROR_TEXT) : null;
    log.warn({ err: error, retryAt }, retryAt ? "handler failed; will retry" : "handler failed; dead-lettered");
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
    return retryAt ? "failed" : "dead";
  };

  const recordSuccess = async (): Promise<RunOutcome> => {
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
      return "succeeded";
    }
    try {
      return (await deps.completer.submit({ ...run, writes: deferred.writes() })) ? "succeeded" : "lost";
    } catch (error) {
      // The run's own deferred write failed: the run failed, as if the handler had thrown. An unreachable store
      // is not the handler's failure: the run comes back when its lease expires.
      if (!deferred.isEmpty && !(error instanceof StoreUnavailableError)) return recordFailure(error);
      log.error({ err: error }, "could not record the run's success; it runs again when its lease expires");
      return "lost";
    }
  };

  try {
    if (!handler) throw new Error(`No handler named "${run.handler}" in this process.`);
    await handler.fn(event, context);
  } catch (error) {
    deferred.close();
    return { recorded: recordFailure(error) };
  }
  deferred.close();
  return { recorded: recordSuccess() };
}
