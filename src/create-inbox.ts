import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import type { FastifyPluginAsync } from "fastify";
import { DEFAULT_DATA_DIR, DEFAULT_MAX_BODY_BYTES, parseSecrets } from "./config.js";
import { ConfigError } from "./errors.js";
import { expressAdapter } from "./http/adapters/express.js";
import { fastifyAdapter } from "./http/adapters/fastify.js";
import { honoAdapter } from "./http/adapters/hono.js";
import { nextAdapter } from "./http/adapters/next.js";
import { nodeAdapter } from "./http/adapters/node.js";
import { createFetchHandler } from "./http/fetch.js";
import { createWebhookReceiver, type WebhookReceiver } from "./http/receive.js";
import { DEFAULT_WEBHOOK_PATH } from "./http/server.js";
import { createDeliveryRecorder, type DeliveryRecorder } from "./inbox/record-deliveries.js";
import { type Logger, silentLogger } from "./log.js";
import { currentMigration, LATEST_MIGRATION, migrate } from "./store/migrate.js";
import { openStore } from "./store/open.js";
import { DEFAULT_SCHEMA, type Store } from "./store/store.js";
import { toStoreUnavailable } from "./store/unavailable.js";
import { DEFAULT_TOLERANCE_SECONDS } from "./verify/verify.js";

export interface InboxOptions {
  /** `whsec_...`, a comma-separated list, or an array: every secret valid during a rotation. */
  secret: string | readonly string[];
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
}

export interface Inbox {
  /** Web-standard handler for fetch runtimes: Deno, Bun, Cloudflare-style workers, Hono, Next.js. */
  readonly fetch: (request: Request) => Promise<Response>;
  node(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  express(): RequestHandler;
  fastify(): FastifyPluginAsync;
  hono(): (context: { req: { raw: Request } }) => Promise<Response>;
  nextjs(): (request: Request) => Promise<Response>;
  /** The core the adapters wrap, for custom integrations. */
  readonly receive: WebhookReceiver;
  /** Opens the store and applies migrations; requests do this lazily if it was not called. */
  start(): Promise<void>;
  /** Null when the store answers and its migrations are current, else the reason. */
  readiness(): Promise<string | null>;
  store(): Promise<Store>;
  /** Waits for in-flight commits, then closes the store. */
  stop(): Promise<void>;
}

export function createInbox(options: InboxOptions): Inbox {
  const secrets = parseSecrets(options.secret);
  if (secrets.length === 0) {
    throw new ConfigError("No webhook secret: set STRIPE_WEBHOOK_SECRET to the endpoint's whsec_... secret.");
  }
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

  let opened: Promise<{ store: Store; recorder: DeliveryRecorder }> | null = null;
  let stopped = false;
  const open = () => {
    if (stopped) return Promise.reject(toStoreUnavailable(new Error("the inbox is stopping")));
    opened ??= (async () => {
      const store = await openStore({
        databaseUrl: options.database,
        dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
        schema: options.schema ?? DEFAULT_SCHEMA,
        ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
        onError: (error) => log.warn({ err: error }, "idle database connection failed"),
      });
      try {
        await migrate(store);
      } catch (error) {
        await store.close().catch(() => {});
        throw error;
      }
      return { store, recorder: createDeliveryRecorder(store) };
    })().catch((error: unknown) => {
      // Let the next request try again: the database may be back by then.
      opened = null;
      throw error;
    });
    return opened;
  };

  const receive = createWebhookReceiver({
    secrets: () => secrets,
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
  });
  const fetch = createFetchHandler(receive);

  return {
    fetch,
    receive,
    node: () => nodeAdapter(receive),
    express: () => expressAdapter(receive),
    fastify: () => fastifyAdapter(receive, path),
    hono: () => honoAdapter(fetch),
    nextjs: () => nextAdapter(fetch),
    start: async () => {
      await open();
    },
    store: async () => (await open()).store,
    async readiness() {
      try {
        const { store } = await open();
        const current = await currentMigration(store);
        return current === LATEST_MIGRATION ? null : `migrations at ${current}, expected ${LATEST_MIGRATION}`;
      } catch (error) {
        return `store unavailable: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    async stop() {
      stopped = true;
      const current = opened;
      if (!current) return;
      const { store, recorder } = await current.catch(() => ({ store: null, recorder: null }));
      await recorder?.drain();
      await store?.close();
    },
  };
}
