import type { Logger } from "pino";
import type Stripe from "stripe";
import type { Store } from "../store/store.js";
import { fetchFullEvent } from "./fetch-event.js";
import type { HandlerContext, HandlerRegistry } from "./registry.js";
import { retryDelayMs } from "./retry.js";
import type { ClaimedRunRow, RunQueries } from "./run-queries.js";

export type RunOutcome = "succeeded" | "failed" | "dead" | "lost";

export interface ExecuteDeps {
  store: Store;
  queries: RunQueries;
  registry: HandlerRegistry;
  workerId: string;
  leaseMs: number;
  now: () => Date;
  log: Logger;
  signal: AbortSignal;
  onError?: ((error: unknown, event: unknown, ctx: HandlerContext) => void) | undefined;
  /** The Stripe client for `ctx.fetchEvent`; throws a ConfigError when no API key is configured. */
  stripe: () => Stripe;
}

const MAX_ERROR_TEXT = 8_000;

/**
 * Runs one claimed (event, handler) inside a transaction that first re-locks the run row and checks the claim
 * is still this worker's. The handler's writes through `ctx.tx` and the run's success commit together, so
 * for effects in the same database a run succeeds exactly once, even when a lease expired and another worker
 * took the run over.
 */
export async function executeRun(deps: ExecuteDeps, claimed: ClaimedRunRow): Promise<RunOutcome> {
  const handler = deps.registry.get(claimed.handler);
  const run = {
    eventId: claimed.event_id,
    handler: claimed.handler,
    attempts: claimed.attempts,
    workerId: deps.workerId,
  };
  const log = deps.log.child({ eventId: run.eventId, handler: run.handler, attempt: run.attempts });
  const event: unknown = JSON.parse(claimed.payload);
  let context: HandlerContext | undefined;
  try {
    if (!handler) throw new Error(`No handler named "${run.handler}" in this process.`);
    return await deps.store.transaction(async (tx) => {
      if (!(await deps.queries.lockOwnRun(tx, run, deps.leaseMs))) return "lost";
      context = {
        attempt: run.attempts,
        idempotencyKey: `${run.eventId}:${run.handler}`,
        log,
        signal: deps.signal,
        tx,
        sql: (sql, params) => tx.query(sql, params),
        fetchEvent: () => fetchFullEvent(deps.stripe(), event as Parameters<typeof fetchFullEvent>[1]),
      };
      await handler.fn(event, context);
      await deps.queries.markSucceeded(tx, run, deps.now());
      return "succeeded";
    });
  } catch (error) {
    const outOfAttempts = run.attempts >= claimed.max_attempts;
    const retryAt =
      outOfAttempts || !handler ? null : new Date(deps.now().getTime() + retryDelayMs(handler.retry, run.attempts));
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_TEXT);
    const stack = error instanceof Error && error.stack ? error.stack.slice(0, MAX_ERROR_TEXT) : null;
    log.warn({ err: error, retryAt }, retryAt ? "handler failed; will retry" : "handler failed; dead-lettered");
    try {
      await deps.store.transaction((tx) =>
        deps.queries.markFailed(tx, run, { message, stack, retryAt, now: deps.now() }),
      );
    } catch (recordError) {
      // The claim stays `running`: it comes back when the lease expires, and runs again then.
      log.error({ err: recordError }, "could not record the failed run");
    }
    if (context) {
      try {
        deps.onError?.(error, event, context);
      } catch (hookError) {
        log.error({ err: hookError }, "onError hook threw");
      }
    }
    return retryAt ? "failed" : "dead";
  }
}
