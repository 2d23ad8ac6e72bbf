import type { Logger } from "pino";
import { ConfigError } from "../errors.js";
import type { Store } from "../store/store.js";
import type { RecordedRun, RunOutcome } from "./execute-run.js";
import { type HandlerPause, listPauses, pauseHandler, resumeHint } from "./handler-pauses.js";

/** The circuit breaker's default: a handler is paused after this many failed runs in a row in one process. */
export const DEFAULT_PAUSE_AFTER_FAILURES = 10;

export interface ClaimableHandlers {
  /** The handlers to claim runs for: the registry's, minus the paused ones. Cached; see `refreshIfStale`. */
  readonly names: string[];
  /** Re-reads the pauses if they were read more than `refreshMs` ago (one query a second, not one per claim). */
  refreshIfStale(): Promise<void>;
  /** Makes the next `refreshIfStale` read the pauses: this process just paused or resumed a handler. */
  invalidate(): void;
  /**
   * Told of every run as its handler returns, with the recording of its outcome: counts failures in a row per
   * handler and pauses it at the threshold. Outcomes are counted in the order the handlers returned, which is not
   * the order they are recorded in (a success waits for its batch, a failure is written at once).
   */
  runReturned(handler: string, eventId: string, recorded: Promise<RecordedRun>): void;
}

export interface ClaimableHandlersOptions {
  store: Store;
  registered: () => string[];
  log: Logger;
  refreshMs?: number;
  /** Failed (or dead-lettered) runs in a row that pause a handler; `false` turns the circuit breaker off. */
  pauseAfterFailures?: number | false;
  /** Told once per pause the breaker made (not when the handler already was paused). */
  onHandlerPaused?: ((pause: HandlerPause) => void) | undefined;
}

export function claimableHandlers(options: ClaimableHandlersOptions): ClaimableHandlers {
  const { store, log } = options;
  const refreshMs = options.refreshMs ?? 1_000;
  const threshold = options.pauseAfterFailures ?? DEFAULT_PAUSE_AFTER_FAILURES;
  if (threshold !== false && !(Number.isInteger(threshold) && threshold > 0)) {
    throw new ConfigError(`pauseAfterFailures must be a positive integer or false, not ${threshold}.`);
  }
  let paused = new Set<string>();
  let names = options.registered();
  let readAt = Number.NEGATIVE_INFINITY;
  // Counted per process from the outcomes it records; the pause row it writes stops every process.
  const failuresInARow = new Map<string, number>();
  let counted: Promise<void> = Promise.resolve();

  const refresh = async () => {
    readAt = Date.now();
    try {
      paused = new Set((await listPauses(store)).map((pause) => pause.handler));
    } catch (error) {
      // The claim that follows meets the same store and reports it; keep the last known pauses meanwhile.
      log.debug({ err: error }, "could not read the handler pauses");
    }
    names = options.registered().filter((name) => !paused.has(name));
  };

  const trip = async (handler: string, failures: number, eventId: string) => {
    const pause = await pauseHandler(store, {
      handler,
      by: "circuit_breaker",
      reason: `${failures} failed runs in a row, the last on ${eventId}`,
      consecutiveFailures: failures,
    });
    // Stop claiming it here at once; the other processes see the row within their refresh interval.
    paused.add(handler);
    names = names.filter((name) => name !== handler);
    if (!pause) return; // already paused, by an operator or another process's breaker: said once already
    log.error(
      { handler, consecutiveFailures: failures, eventId },
      `handler "${handler}" paused after ${failures} failed runs in a row; its events wait. Fix the cause, then ${resumeHint(handler)}`,
    );
    options.onHandlerPaused?.(pause);
  };

  const count = (outcome: RunOutcome, handler: string, eventId: string) => {
    if (outcome === "succeeded") {
      failuresInARow.delete(handler);
      return;
    }
    if (threshold === false || (outcome !== "failed" && outcome !== "dead")) return;
    const failures = (failuresInARow.get(handler) ?? 0) + 1;
    failuresInARow.set(handler, failures);
    if (failures < threshold) return;
    failuresInARow.delete(handler);
    trip(handler, failures, eventId).catch((error: unknown) =>
      log.error({ err: error, handler }, "the circuit breaker could not pause the handler"),
    );
  };

  return {
    get names() {
      return names;
    },
    async refreshIfStale() {
      if (Date.now() - readAt >= refreshMs) await refresh();
    },
    invalidate() {
      readAt = Number.NEGATIVE_INFINITY;
    },
    runReturned(handler, eventId, recorded) {
      counted = counted
        .then(() => recorded)
        .then(
          // A lost database connection says nothing about the handler: it must not pause it.
          ({ outcome, byStore }) => {
            if (!byStore) count(outcome, handler, eventId);
          },
          () => undefined, // the worker logs a recording that failed unexpectedly
        );
    },
  };
}
