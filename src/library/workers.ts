import type Stripe from "stripe";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import { eventsChannel, listenForEvents } from "../store/listen.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import type { HandlerContext, HandlerRegistry } from "../worker/registry.js";
import { createWorker, runTransactionsAtOnce, type Worker } from "../worker/worker.js";
import type { Settings } from "./options.js";

export const NOT_STARTED_WARNING_AFTER_MS = 10_000;

export type ErrorHook = (error: unknown, event: unknown, ctx: HandlerContext) => void;

export interface InboxWorkers {
  /** Starts this process's workers on the inbox's opened store. */
  start(store: Store): Promise<void>;
  /** True once `start` has started them. */
  readonly running: boolean;
  /** The workers' own store on Postgres, once started: reads outside runs take its connections, not receiving's. */
  readonly store: Store | null;
  /** Looks for work now: this process just replayed runs. */
  wake(): void;
  /** This process just stored an event: looks for work now, or warns once when handlers wait for a `start()`. */
  eventStored(): void;
  /** True when handlers are registered and events arrived, but `start()` has not started the workers. */
  readonly notStarted: boolean;
  /** Re-reads the paused handlers now: this process just paused or resumed one. */
  pausesChanged(): void;
  onError(hook: ErrorHook): void;
  /** Stops claiming, gives running handlers `graceMs`, and closes the workers' own connections. */
  stop(graceMs?: number): Promise<void>;
}

export function inboxWorkers(
  settings: Settings,
  parts: { registry: HandlerRegistry; stripe: (feature: string) => Stripe; metrics: InboxMetrics },
): InboxWorkers {
  const { log } = settings;
  const errorHooks: ErrorHook[] = [];
  let worker: Worker | null = null;
  let ownStore: Store | null = null;
  let stopListening: (() => Promise<void>) | undefined;
  let firstArrival: number | null = null;
  let warned = false;
  const notStarted = () =>
    firstArrival !== null && parts.registry.size > 0 && settings.workers !== false && worker === null;

  return {
    async start(store) {
      if (worker || !settings.workers) return;
      const { concurrency, ...tuning } = settings.workers;
      // A handler that queries holds a connection for its run's transaction: on Postgres the workers get a pool of
      // their own, so a slow handler can never starve the receive path of connections. Its size is bounded apart
      // from the handler slots, so that a few processes stay within Postgres' default 100 connections.
      ownStore =
        store.engine === "postgres" && parts.registry.size > 0
          ? await openStore({
              ...settings.store,
              poolSize: runTransactionsAtOnce(concurrency) + 2,
              onError: (error: Error) => log.warn({ err: error }, "idle database connection failed"),
            })
          : null;
      worker = createWorker({
        store: ownStore ?? store,
        registry: parts.registry,
        log,
        concurrency,
        ...tuning,
        now: settings.clock,
        stripe: () => parts.stripe("ctx.fetchEvent()"),
        onError: (error, event, ctx) => {
          for (const hook of errorHooks) hook(error, event, ctx);
        },
        onRunFinished: parts.metrics.runFinished,
        onHandlerPaused: settings.onHandlerPaused,
      });
      worker.start();
      const { databaseUrl } = settings.store;
      if (databaseUrl) {
        stopListening = listenForEvents(databaseUrl, eventsChannel(store.schema), worker.wake, (error) =>
          log.warn({ err: error }, "LISTEN connection failed; polling until it is back"),
        );
      }
    },
    get running() {
      return worker !== null;
    },
    get store() {
      return ownStore;
    },
    wake: () => worker?.wake(),
    eventStored() {
      if (worker) return worker.wake();
      const now = settings.clock().getTime();
      firstArrival ??= now;
      // Not on the first event: an app may take a delivery while its `start()` is still on its way.
      if (warned || !notStarted() || now - firstArrival < NOT_STARTED_WARNING_AFTER_MS) return;
      warned = true;
      log.warn(
        { handlers: parts.registry.names },
        "events are being stored but no worker runs their handlers: call inbox.start() in this process, or run `stripe-inbox worker` (set `workers: false` to silence this in a receive-only process)",
      );
    },
    get notStarted() {
      return notStarted();
    },
    pausesChanged: () => worker?.pausesChanged(),
    onError(hook) {
      errorHooks.push(hook);
    },
    async stop(graceMs) {
      await stopListening?.();
      await worker?.stop(graceMs);
      await ownStore?.close();
    },
  };
}
