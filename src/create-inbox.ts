import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHandler } from "./http/node-io.js";
import type { WebhookReceiver } from "./http/receive.js";
import { inboxStore } from "./library/inbox-store.js";
import { lifecycle } from "./library/lifecycle.js";
import { addMirror } from "./library/mirror.js";
import { type InboxOperations, inboxOperations } from "./library/operations.js";
import { type InboxOptions, resolveSettings } from "./library/options.js";
import { inboxReadiness, type Readiness } from "./library/readiness.js";
import { inboxReceiver } from "./library/receiver.js";
import { inboxRetention } from "./library/retention.js";
import { type ErrorHook, inboxWorkers } from "./library/workers.js";
import { createInboxMetrics, type InboxMetrics } from "./metrics/inbox-metrics.js";
import { readQueueState } from "./metrics/queue-state.js";
import { timedRegistration } from "./metrics/timed-handlers.js";
import { readStorage } from "./retention/storage.js";
import type { Store } from "./store/store.js";
import { lazyStripeClient } from "./stripe-api.js";
import { type HandlerControl, handlerControl } from "./worker/handler-pauses.js";
import { HandlerRegistry } from "./worker/registry.js";

export type { Clock } from "./clock.js";
export type {
  InboxOptions,
  MirrorSettings,
  ReceiveSettings,
  RetentionSettings,
  StripeSettings,
  WorkerSettings,
} from "./library/options.js";
export type { NotReadyReason, Readiness } from "./library/readiness.js";

export interface Inbox extends InboxOperations {
  /** Registers a handler; the event is typed from the `stripe` package by the pattern. */
  on: HandlerRegistry["on"];
  /** Called after any handler throws, with the event and the run's context. */
  onError(hook: ErrorHook): void;
  /** Web-standard handler for fetch runtimes: Deno, Bun, Cloudflare-style workers, Hono, Next.js. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** A node:http handler: `http.createServer(inbox.node())`. Framework adapters are in `stripe-inbox/express`, ... */
  node(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The webhook route (`receive.path`), where `stripe-inbox/fastify` and the standalone server mount it. */
  readonly path: string;
  /** Pauses and resumes handlers (their events wait), and lists them with their waiting runs. */
  readonly handlers: HandlerControl;
  /** The core the adapters wrap, for custom integrations. */
  readonly receive: WebhookReceiver;
  /** This inbox's Prometheus metrics (its own registry); `serve` exposes them at /metrics. */
  readonly metrics: InboxMetrics;
  /**
   * Opens the store, applies migrations and starts this process's workers (unless `workers: false`): they run the
   * registered handlers and mark events that match none `no_handler`. A process running workers also prunes what
   * `retention` allows, about hourly.
   */
  start(): Promise<void>;
  /**
   * Ready when the store answers within a second, its migrations (and the mirror's) are current, and registered
   * handlers have running workers; otherwise a reason code. The cause behind it is logged, never returned.
   */
  readiness(): Promise<Readiness>;
  store(): Promise<Store>;
  /** Stops the workers (running handlers get `graceMs`), waits for in-flight commits, closes the store. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The inbox, composed of its parts: the store (opened and migrated on first use), the receive path, the workers
 * that run the handlers, and the mirror's built-in handler; `start` and `stop` bring them up and down in order.
 */
export function createInbox(options: InboxOptions): Inbox {
  const settings = resolveSettings(options);
  const metrics = createInboxMetrics();
  const stripe = lazyStripeClient(settings.stripe);
  const registry = new HandlerRegistry();
  const store = inboxStore(settings, metrics);
  const openStore = async () => (await store.open()).store;
  const workers = inboxWorkers(settings, { registry, stripe, metrics });
  // Reads outside any run go through the workers' own connections once they run.
  addMirror(settings, { registry, stripe, store: async () => workers.store ?? (await openStore()) });
  const receiver = inboxReceiver(settings, { store, metrics, onEventStored: workers.eventStored });
  const retention = inboxRetention(settings, { store: async () => workers.store ?? (await openStore()) });
  metrics.readQueueFrom(async () => readQueueState(await openStore()));
  metrics.readStorageFrom(async () => readStorage(await openStore(), settings.retention?.keepMs ?? null));

  const { start, stop } = lifecycle({
    async start() {
      const { store: opened } = await store.open();
      await receiver.startSecrets();
      await workers.start(opened);
      if (workers.running) retention.start();
    },
    async stop(graceMs) {
      receiver.close();
      await retention.stop();
      await workers.stop(graceMs);
      await store.close();
    },
  });

  return {
    ...inboxOperations(settings, { store: openStore, stripe, wakeWorkers: workers.wake, prune: retention.prune }),
    on: timedRegistration(registry, metrics),
    onError: workers.onError,
    fetch: receiver.fetch,
    node: () => nodeHandler(receiver.receive),
    path: settings.receive.path,
    receive: receiver.receive,
    metrics,
    handlers: handlerControl({ store: openStore, known: () => registry.names, changed: workers.pausesChanged }),
    start,
    stop,
    store: openStore,
    readiness: inboxReadiness({
      store: openStore,
      mirrorSchema: settings.mirror ? settings.mirror.schema : null,
      workersNotStarted: () => workers.notStarted,
      log: settings.log,
    }),
  };
}
