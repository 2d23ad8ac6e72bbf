import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Store } from "../store/store.js";
import { type ClaimableHandlersOptions, claimableHandlers } from "./claimable-handlers.js";
import { createRunCompleter } from "./complete-runs.js";
import { type ExecuteDeps, executeRun, type RunOutcome, type StartedRun } from "./execute-run.js";
import { fanOutEvents } from "./fan-out.js";
import type { HandlerContext, HandlerRegistry } from "./registry.js";
import { runReleaser } from "./release-runs.js";
import { type ClaimedRunRow, runQueries } from "./run-queries.js";
import { Semaphore } from "./semaphore.js";

export interface WorkerOptions {
  store: Store;
  registry: HandlerRegistry;
  log: Logger;
  /** Handlers running at once in this process (default 32). */
  concurrency?: number;
  /** How long a claim is this worker's before another may take it over (a crashed worker's claims return then). */
  leaseMs?: number;
  /** Fallback wake-up when no notification arrives (PGlite, or a lost LISTEN connection). */
  pollMs?: number;
  /** Injectable clock for retry schedules in tests. */
  now?: () => Date;
  onError?: ExecuteDeps["onError"];
  stripe: ExecuteDeps["stripe"];
  onRunFinished?: (outcome: RunOutcome, handler: string) => void;
  /** The circuit breaker: failed runs in a row (in this process) that pause a handler (10); `false` turns it off. */
  pauseAfterFailures?: number | false;
  onHandlerPaused?: ClaimableHandlersOptions["onHandlerPaused"];
  /** How often the paused handlers are re-read (1 s). */
  pauseRefreshMs?: number;
}

export interface Worker {
  readonly id: string;
  start(): void;
  /** Looks for work now instead of at the next poll: called on a notification or a local commit. */
  wake(): void;
  /** Re-reads the paused handlers before the next claim: this process just paused or resumed one. */
  pausesChanged(): void;
  /**
   * Stops claiming, lets running handlers finish for `graceMs`, then aborts their signal and returns. Runs it claimed
   * but did not start, and those whose handler it abandoned, go back to the queue at once instead of at the end of
   * their lease.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Handlers at once per process. Slots cost nothing while their handler waits on another system, and only a handler
 * that queries holds a connection; a claim takes up to the free slots, so with fast handlers this also bounds the
 * claim's batch and the batches their successes (and deferred writes) commit in. bench/worker, no-op handlers,
 * 1 worker: 4,288/s at 16, 5,614/s at 32; bench/mirror, 2 workers: 3,091-3,889/s at 16, 4,244-4,591/s at 32.
 */
export const DEFAULT_CONCURRENCY = 32;
/**
 * Run transactions open at once per process, however many handler slots: a handler's first query waits (without
 * a time limit; its lease still runs) while this many are open. A worker's store needs this many connections plus
 * 2, for claims, fan-out and recording outcomes, which run transactions can then never take.
 */
const MAX_RUN_TRANSACTIONS = 16;

/** Run transactions a worker with `concurrency` handler slots opens at once. */
export function runTransactionsAtOnce(concurrency: number): number {
  return Math.min(concurrency, MAX_RUN_TRANSACTIONS);
}
const ABORT_WAIT_MS = 5_000;
/**
 * A backlog this large changes the run tables enough that the planner must see it (see refreshStatistics). The
 * next refresh waits for as many events again as this process has fanned out in all, so a burst into empty
 * tables is analysed at 2,000, 4,000, 8,000... events: a few times, not every 2,000 (each ANALYZE samples up to
 * 30,000 rows; at 20,000 events, every 2,000 cost 185-186 µs of Postgres CPU per event, doubling 144-152 µs).
 */
const FIRST_ANALYZE_AFTER_EVENTS = 2_000;

export function createWorker(options: WorkerOptions): Worker {
  const { store, registry, log } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const now = options.now ?? (() => new Date());
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const queries = runQueries(store.schema);
  const minimumClaim = Math.ceil(concurrency / 2);
  const abort = new AbortController();
  // Runs whose handler is running (each holds a slot of `concurrency`), and runs whose outcome is being recorded.
  const running = new Map<Promise<unknown>, { row: ClaimedRunRow; run: StartedRun }>();
  const recording = new Set<Promise<unknown>>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let woken = false;

  const claimable = claimableHandlers({
    store,
    registered: () => registry.names,
    log,
    ...(options.pauseRefreshMs !== undefined && { refreshMs: options.pauseRefreshMs }),
    ...(options.pauseAfterFailures !== undefined && { pauseAfterFailures: options.pauseAfterFailures }),
    onHandlerPaused: options.onHandlerPaused,
  });
  const deps: ExecuteDeps = {
    store,
    queries,
    registry,
    runTransactions: new Semaphore(runTransactionsAtOnce(concurrency)),
    completer: createRunCompleter(store, queries, id, now, log),
    workerId: id,
    leaseMs,
    now,
    log,
    signal: abort.signal,
    onError: options.onError,
    stripe: options.stripe,
  };

  const release = runReleaser({ store, queries, workerId: id, now, log, rollbackWaitMs: ABORT_WAIT_MS });

  // Fan-out costs a transaction and a scan of the pending events. A finished local run frees a slot but brings
  // no new events, so only a notification, a local commit, a poll, or a fan-out that found events leads to one.
  let eventsMayBePending = true;
  let fannedOutSinceAnalyze = 0;
  let fannedOutBeforeAnalyze = 0;
  const wakeForRuns = () => {
    woken = true;
    wakeUp?.();
  };
  const wake = () => {
    eventsMayBePending = true;
    wakeForRuns();
  };

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(() => {
        eventsMayBePending = true;
        resolve();
      }, pollMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wakeUp = null;
      woken = false;
    });

  const runOnce = async (): Promise<boolean> => {
    let fannedOut = 0;
    if (eventsMayBePending) {
      // Cleared before, not after: a wake-up that arrives while this fan-out runs must not be lost.
      eventsMayBePending = false;
      try {
        fannedOut = await fanOutEvents(store, queries, registry, now());
      } catch (error) {
        eventsMayBePending = true;
        throw error;
      }
      if (fannedOut > 0) eventsMayBePending = true;
      fannedOutSinceAnalyze += fannedOut;
      if (fannedOutSinceAnalyze >= Math.max(FIRST_ANALYZE_AFTER_EVENTS, fannedOutBeforeAnalyze)) {
        fannedOutBeforeAnalyze += fannedOutSinceAnalyze;
        fannedOutSinceAnalyze = 0;
        // Not awaited: claims go on meanwhile, and a refused ANALYZE (no table ownership) costs nothing.
        queries.refreshStatistics(store).catch((error: unknown) => log.debug({ err: error }, "ANALYZE refused"));
      }
    }
    const free = concurrency - running.size;
    // Under load, claim for several slots at once: a claim is a committed transaction of its own.
    if (free <= 0 || (running.size > 0 && free < minimumClaim)) return fannedOut > 0;
    // A paused handler's runs stay unclaimed (its events wait); the set is cached, read about once a second.
    await claimable.refreshIfStale();
    if (claimable.names.length === 0) return fannedOut > 0;
    // One statement, atomic on its own: no transaction around it.
    const claimed = await queries.claimRuns(store, {
      handlers: claimable.names,
      anyOrdered: claimable.names.some((name) => registry.get(name)?.ordered ?? true),
      limit: free,
      workerId: id,
      now: now(),
      leaseMs,
    });
    // Stopped while the claim ran: these handlers would only get the grace period; other workers can run them now.
    if (stopping) {
      await release.unstarted(claimed);
      return false;
    }
    for (const row of claimed) {
      const unexpected = (error: unknown) => log.error({ err: error }, "run failed unexpectedly");
      const run = executeRun(deps, row);
      const task = run.returned.then(({ recorded }) => {
        // The slot is free as soon as the handler returns: the next claim overlaps with recording this outcome.
        claimable.runReturned(row.handler, row.event_id, recorded);
        const outcome = recorded.then(({ outcome }) => options.onRunFinished?.(outcome, row.handler), unexpected);
        recording.add(outcome);
        void outcome.finally(() => recording.delete(outcome));
      }, unexpected);
      running.set(task, { row, run });
      void task.finally(() => {
        running.delete(task);
        wakeForRuns();
      });
    }
    return fannedOut > 0 || claimed.length > 0;
  };

  const work = async () => {
    while (!stopping) {
      let busy = false;
      try {
        busy = await runOnce();
      } catch (error) {
        log.error({ err: error }, "worker could not reach the store; retrying");
      }
      if (!busy || running.size >= concurrency) await sleep();
    }
  };

  return {
    id,
    start() {
      if (loop) return;
      log.info({ workerId: id, handlers: registry.names, concurrency }, "worker started");
      loop = work();
    },
    wake,
    pausesChanged() {
      claimable.invalidate();
      wakeForRuns();
    },
    async stop(graceMs = 30_000) {
      stopping = true;
      wake();
      // The loop ends after its statement in flight (what a claim then brings is released, never started), so no
      // run starts from now on. On PGlite that statement waits for any open run transaction: the grace counts it.
      const finished = (async () => {
        await loop;
        await Promise.allSettled([...running.keys()]);
      })();
      const timedOut = await Promise.race([
        finished.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
      ]);
      if (timedOut) {
        log.warn({ running: running.size }, "grace period over; aborting running handlers");
        abort.abort(new Error("worker stopping"));
        await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, ABORT_WAIT_MS).unref())]);
        // A handler that ignores its signal is left behind, its run given to other workers now rather than at the
        // end of its lease.
        await release.abandoned([...running.values()]);
        await loop;
      }
      // Outcomes are single statements, each bounded by the store's query timeout.
      await Promise.allSettled([...recording]);
    },
  };
}

export type { HandlerContext };
