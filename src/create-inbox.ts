import type { IncomingMessage, ServerResponse } from "node:http";
import type Stripe from "stripe";
import { DEFAULT_DATA_DIR, DEFAULT_MAX_BODY_BYTES, parseSecrets } from "./config.js";
import { ConfigError } from "./errors.js";
import { createFetchHandler } from "./http/fetch.js";
import { nodeHandler } from "./http/node-io.js";
import { createWebhookReceiver, type WebhookReceiver } from "./http/receive.js";
import { DEFAULT_WEBHOOK_PATH } from "./http/server.js";
import { createDeliveryRecorder, type DeliveryRecorder } from "./inbox/record-deliveries.js";
import { loadWebhookSecrets, WebhookSecrets } from "./inbox/stored-secrets.js";
import { type Logger, silentLogger } from "./log.js";
import { createInboxMetrics, type InboxMetrics } from "./metrics/inbox-metrics.js";
import { readQueueState } from "./metrics/queue-state.js";
import { timedRegistration } from "./metrics/timed-handlers.js";
import { registerMirror } from "./mirror/handler.js";
import { checkMirrorSchema, DEFAULT_MIRROR_SCHEMA, migrateMirror } from "./mirror/migrate.js";
import { mirrorReadiness } from "./mirror/readiness.js";
import { revalidationFor } from "./mirror/revalidate.js";
import { eventsChannel, listenForEvents } from "./store/listen.js";
import { currentMigration, LATEST_MIGRATION, migrate } from "./store/migrate.js";
import { openStore } from "./store/open.js";
import { DEFAULT_SCHEMA, type Store } from "./store/store.js";
import { toStoreUnavailable } from "./store/unavailable.js";
import { createStripeClient } from "./stripe-api.js";
import { DEFAULT_TOLERANCE_SECONDS } from "./verify/verify.js";
import { type HandlerControl, type HandlerPause, handlerControl } from "./worker/handler-pauses.js";
import { type HandlerContext, HandlerRegistry } from "./worker/registry.js";
import { createWorker, DEFAULT_CONCURRENCY, runTransactionsAtOnce, type Worker } from "./worker/worker.js";

export interface InboxOptions {
  /**
   * `whsec_...`, a comma-separated list, or an array: every secret valid during a rotation. Only receiving needs
   * it; secrets stored by `stripe-inbox register` are accepted beside it. Without any, deliveries are answered
   * 500 `config_invalid` (and Stripe retries) until one is set.
   */
  secret?: string | readonly string[] | undefined;
  /** A `postgres://` URL; without it, embedded PGlite in `dataDir`. */
  database?: string | undefined;
  dataDir?: string;
  schema?: string;
  toleranceSeconds?: number;
  maxBodyBytes?: number;
  /** The route the framework adapters that own routing (Fastify) mount on. */
  path?: string;
  poolSize?: number;
  logger?: Logger;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
  /**
   * For `ctx.fetchEvent()`, and for the mirror's revalidation and same-second ties: a secret or restricted key,
   * and the API base (the local emulator in tests).
   */
  stripeApiKey?: string | undefined;
  stripeApiBase?: string | undefined;
  /** In-process workers that run the handlers registered with `on`; `false` for a receive-only process. */
  workers?: false | WorkerSettings;
  /**
   * Keeps one current row per Stripe object in Postgres schema `stripe` (or `{ schema }`), applied by a built-in
   * handler named "stripe-inbox.mirror" on every event; its tables are created with the inbox's migrations.
   * `revalidate` lists mirror tables ("subscriptions", ...) whose objects are fetched from the API (needs
   * `stripeApiKey`) instead of taken from the event.
   */
  mirror?: boolean | { schema?: string; revalidate?: readonly string[] };
  /** Told when the circuit breaker pauses a handler (`workers.pauseAfterFailures`): send an alert. */
  onHandlerPaused?: (pause: HandlerPause) => void;
}

export interface WorkerSettings {
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /** Injectable clock for retry schedules in tests. */
  clock?: () => Date;
  /** The circuit breaker: a handler whose runs fail this many times in a row is paused (10); `false`: never. */
  pauseAfterFailures?: number | false;
}

export interface Inbox {
  /** Registers a handler; the event is typed from the `stripe` package by the pattern. */
  on: HandlerRegistry["on"];
  /** Called after any handler throws, with the event and the run's context. */
  onError(hook: (error: unknown, event: unknown, ctx: HandlerContext) => void): void;
  /** Web-standard handler for fetch runtimes: Deno, Bun, Cloudflare-style workers, Hono, Next.js. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** A node:http handler: `http.createServer(inbox.node())`. Framework adapters are in `stripe-inbox/express`, ... */
  node(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The webhook route (`path`), where `stripe-inbox/fastify` and the standalone server mount it. */
  readonly path: string;
  /** Pauses and resumes handlers (their events wait), and lists them with their waiting runs. */
  readonly handlers: HandlerControl;
  /** The core the adapters wrap, for custom integrations. */
  readonly receive: WebhookReceiver;
  /** This inbox's Prometheus metrics (its own registry); `serve` exposes them at /metrics. */
  readonly metrics: InboxMetrics;
  /** Opens the store, applies migrations and starts the workers if handlers are registered. */
  start(): Promise<void>;
  /** Null when the store answers and its migrations are current, else the reason. */
  readiness(): Promise<string | null>;
  store(): Promise<Store>;
  /** Stops the workers (running handlers get `graceMs`), waits for in-flight commits, closes the store. */
  stop(graceMs?: number): Promise<void>;
}

export function createInbox(options: InboxOptions): Inbox {
  const secrets = parseSecrets(options.secret);
  for (const [name, value] of [
    ["toleranceSeconds", options.toleranceSeconds],
    ["maxBodyBytes", options.maxBodyBytes],
  ] as const) {
    // NaN would silently disable the check it bounds (`skew > NaN` is never true).
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new ConfigError(`${name} must be a non-negative integer, not ${value}.`);
    }
  }
  const log = options.logger ?? silentLogger;
  const unprefixed = secrets.filter((candidate) => !candidate.startsWith("whsec_")).length;
  if (unprefixed > 0) {
    log.warn(`${unprefixed} of the ${secrets.length} webhook secret(s) do not start with whsec_: Stripe's always do.`);
  }
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;

  const registry = new HandlerRegistry();
  const mirrorOptions = options.mirror === true ? {} : options.mirror || null;
  const mirrorSchema = mirrorOptions ? checkMirrorSchema(mirrorOptions.schema ?? DEFAULT_MIRROR_SCHEMA) : null;
  if (mirrorSchema) {
    const api = { apiKey: options.stripeApiKey, apiBase: options.stripeApiBase };
    const revalidate = revalidationFor(mirrorOptions?.revalidate, api);
    // Reads outside any run: whether a table exists, and with a key a tie's stamp (a same-second tie is then
    // settled by the API).
    const store = async () => workerStore ?? (await open()).store;
    const refetchTies = options.stripeApiKey
      ? { stripe: () => (stripeClient ??= createStripeClient(api, "mirror")), store }
      : undefined;
    registerMirror(registry, mirrorSchema, {
      store,
      ...(revalidate && { revalidate }),
      ...(refetchTies && { refetchTies }),
    });
  }
  const metrics = createInboxMetrics();
  const errorHooks: Array<(error: unknown, event: unknown, ctx: HandlerContext) => void> = [];
  let worker: Worker | null = null;
  let workerStore: Store | null = null;
  let stripeClient: Stripe | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  const storeConfig = {
    databaseUrl: options.database,
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    schema: options.schema ?? DEFAULT_SCHEMA,
    onError: (error: Error) => log.warn({ err: error }, "idle database connection failed"),
  };
  // A handler that queries holds a connection for its run's transaction: on Postgres the workers get a pool of
  // their own, so a slow handler can never starve the receive path of connections. Its size is bounded apart from
  // the handler slots, so that a few processes stay within Postgres' default 100 connections.
  const openWorkerStore = () =>
    openStore({
      ...storeConfig,
      poolSize: runTransactionsAtOnce(workerSettings(options.workers).concurrency) + 2,
    });

  let started: Promise<void> | null = null;
  const startWorkers = async (store: Store) => {
    workerStore = store.engine === "postgres" ? await openWorkerStore() : null;
    worker = createWorker({
      store: workerStore ?? store,
      registry,
      log,
      ...workerSettings(options.workers),
      stripe: () => {
        stripeClient ??= createStripeClient(
          { apiKey: options.stripeApiKey, apiBase: options.stripeApiBase },
          "ctx.fetchEvent()",
        );
        return stripeClient;
      },
      onError: (error, event, ctx) => {
        for (const hook of errorHooks) hook(error, event, ctx);
      },
      onRunFinished: metrics.runFinished,
      onHandlerPaused: options.onHandlerPaused,
    });
    worker.start();
    if (options.database) {
      stopListening = listenForEvents(options.database, eventsChannel(store.schema), worker.wake, (error) =>
        log.warn({ err: error }, "LISTEN connection failed; polling until it is back"),
      );
    }
  };

  let opened: Promise<{ store: Store; recorder: DeliveryRecorder }> | null = null;
  let stopped = false;
  let stopping: Promise<void> | null = null;
  const open = () => {
    if (stopped) return Promise.reject(toStoreUnavailable(new Error("the inbox is stopping")));
    opened ??= (async () => {
      const store = await openStore({
        ...storeConfig,
        ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
      });
      try {
        await migrate(store);
        if (mirrorSchema) await migrateMirror(store, mirrorSchema);
      } catch (error) {
        await store.close().catch(() => {});
        throw error;
      }
      return { store, recorder: createDeliveryRecorder(store, metrics.batchCommitted) };
    })().catch((error: unknown) => {
      // Let the next request try again: the database may be back by then.
      opened = null;
      throw error;
    });
    return opened;
  };

  // Secrets stored by `register` are cached, and reloaded when a delivery matches none of the known ones.
  const webhookSecrets = new WebhookSecrets({
    configured: secrets,
    load: async () => loadWebhookSecrets((await open()).store),
    log,
  });
  const acceptedSecrets = () => {
    const accepted = webhookSecrets.current();
    if (accepted.length === 0) {
      throw new ConfigError(
        "No webhook secret: set STRIPE_WEBHOOK_SECRET to the endpoint's whsec_... secret, or store one with `stripe-inbox register`.",
      );
    }
    return accepted;
  };
  const receive = createWebhookReceiver({
    secrets: acceptedSecrets,
    reloadSecrets: () => webhookSecrets.reload(),
    onEventStored: () => worker?.wake(),
    toleranceSeconds: options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    recorder: async () => {
      try {
        return (await open()).recorder;
      } catch (error) {
        throw toStoreUnavailable(error);
      }
    },
    log,
    ...(options.now && { now: options.now }),
    onAnswered: metrics.deliveryAnswered,
  });
  const fetch = createFetchHandler(receive);
  metrics.readQueueFrom(async () => readQueueState((await open()).store));

  return {
    fetch,
    receive,
    metrics,
    path,
    node: () => nodeHandler(receive),
    on: timedRegistration(registry, metrics),
    handlers: handlerControl({
      store: async () => (await open()).store,
      known: () => registry.names,
      changed: () => worker?.pausesChanged(),
    }),
    onError: (hook) => {
      errorHooks.push(hook);
    },
    start() {
      // Idempotent, and retried from scratch after a failure (the database may come back).
      started ??= (async () => {
        const { store } = await open();
        webhookSecrets.startRefreshing();
        await webhookSecrets.reload();
        if (registry.size > 0 && options.workers !== false) await startWorkers(store);
      })().catch((error: unknown) => {
        started = null;
        throw error;
      });
      return started;
    },
    store: async () => (await open()).store,
    async readiness() {
      try {
        const { store } = await open();
        const current = await currentMigration(store);
        if (current !== LATEST_MIGRATION) return `migrations at ${current}, expected ${LATEST_MIGRATION}`;
        return mirrorSchema ? await mirrorReadiness(store, mirrorSchema) : null;
      } catch (error) {
        return `store unavailable: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    stop(graceMs) {
      // Idempotent: a second call waits for the first instead of closing the pools twice.
      stopping ??= (async () => {
        stopped = true;
        webhookSecrets.close();
        await stopListening?.();
        await worker?.stop(graceMs);
        await workerStore?.close();
        const current = opened;
        if (!current) return;
        const { store, recorder } = await current.catch(() => ({ store: null, recorder: null }));
        await recorder?.drain();
        await store?.close();
      })();
      return stopping;
    },
  };
}

function workerSettings(settings: InboxOptions["workers"]) {
  const given = settings === false || settings === undefined ? {} : settings;
  return {
    concurrency: given.concurrency ?? DEFAULT_CONCURRENCY,
    ...(given.leaseMs !== undefined && { leaseMs: given.leaseMs }),
    ...(given.pollMs !== undefined && { pollMs: given.pollMs }),
    ...(given.clock !== undefined && { now: given.clock }),
    ...(given.pauseAfterFailures !== undefined && { pauseAfterFailures: given.pauseAfterFailures }),
  };
}
