import { type Clock, systemClock } from "../clock.js";
import { ConfigError } from "../errors.js";
import { DEFAULT_WEBHOOK_PATH } from "../http/server.js";
import { type Logger, silentLogger } from "../log.js";
import { checkMirrorSchema, DEFAULT_MIRROR_SCHEMA } from "../mirror/migrate.js";
import { DEFAULT_RETENTION, parseRetention } from "../retention/duration.js";
import { DEFAULT_SCHEMA } from "../store/store.js";
import { DEFAULT_TOLERANCE_SECONDS } from "../verify/verify.js";
import type { HandlerPause } from "../worker/handler-pauses.js";
import { DEFAULT_CONCURRENCY } from "../worker/worker.js";

/**
 * What `createInbox` takes, grouped by concern. `createInbox({ secret, database })` is the whole of it for most
 * apps; `configFromEnv()` returns these options read from the environment.
 */
export interface InboxOptions {
  /**
   * `whsec_...`, a comma-separated list, or an array: every secret valid during a rotation. Only receiving needs
   * it; secrets stored by `stripe-inbox register` are accepted beside it. Without any, deliveries are answered
   * 500 `config_invalid` (and Stripe retries) until one is set.
   */
  secret?: string | readonly string[] | undefined;
  /** A `postgres://` URL; without it, embedded PGlite in `dataDir`. */
  database?: string | undefined;
  /** The embedded database's directory, `./.stripe-inbox` by default; one process at a time. */
  dataDir?: string | undefined;
  /** The inbox's tables' schema, `stripe_inbox` by default. */
  schema?: string | undefined;
  /** Now, for signature tolerance, retry schedules, replay, backfill and reconcile; injectable for tests. */
  clock?: Clock | undefined;
  /** A pino logger; silent by default. */
  logger?: Logger | undefined;
  receive?: ReceiveSettings | undefined;
  /**
   * In-process workers, started by `start()`: they run the handlers registered with `on`, and with none
   * registered mark stored events `no_handler`. `false` for a process that only receives while other processes
   * (`stripe-inbox worker`) run the handlers.
   */
  workers?: false | WorkerSettings | undefined;
  /**
   * Keeps one current row per Stripe object in Postgres schema `stripe` (or `{ schema }`), applied by a built-in
   * handler named "stripe-inbox.mirror" on every event; its tables are created with the inbox's migrations.
   */
  mirror?: boolean | MirrorSettings | undefined;
  /** The Stripe API, for `ctx.fetchEvent()`, the mirror's revalidation and ties, `backfill` and `reconcile`. */
  stripe?: StripeSettings | undefined;
  /**
   * How long handled events are kept (90 days): the process running workers prunes about hourly what is older and
   * finished, and keeps pruned ids as duplicates. `false` (or `{ keep: "off" }`) keeps everything.
   */
  retention?: false | RetentionSettings | undefined;
  /** Told when the circuit breaker pauses a handler (`workers.pauseAfterFailures`): send an alert. */
  onHandlerPaused?: ((pause: HandlerPause) => void) | undefined;
}

export interface ReceiveSettings {
  /** Accepted clock skew of a signature's timestamp, both ways (300). */
  toleranceSeconds?: number | undefined;
  /** Larger bodies are answered 413 (1 MiB). */
  maxBodyBytes?: number | undefined;
  /** Bytes of bodies read before their signature is checked, at once; past it, 503 `receiver_busy` (16 MiB). */
  maxUnverifiedBytes?: number | undefined;
  /** The webhook route of `stripe-inbox/fastify` and the standalone server (`/webhooks/stripe`). */
  path?: string | undefined;
  /** On Postgres, connections for receiving and for everything outside handler runs (4). */
  poolSize?: number | undefined;
}

export interface WorkerSettings {
  /** Handlers running at once in this process (32). */
  concurrency?: number | undefined;
  /** How long a claim is this worker's before another may take it over (5 min). */
  leaseMs?: number | undefined;
  /** Fallback wake-up when no notification arrives (1 s). */
  pollMs?: number | undefined;
  /** The circuit breaker: a handler whose runs fail this many times in a row is paused (10); `false`: never. */
  pauseAfterFailures?: number | false | undefined;
}

export interface MirrorSettings {
  /** `stripe` by default. */
  schema?: string | undefined;
  /**
   * Mirror tables ("subscriptions", ...) whose objects are fetched from the API (needs `stripe.apiKey`) instead of
   * taken from the event.
   */
  revalidate?: readonly string[] | undefined;
}

export interface RetentionSettings {
  /**
   * Events whose every run succeeded, or that had no handler, go with their deliveries and runs once older than this:
   * `"90d"`, `"12h"`, milliseconds, or `"off"`. Work not done and the mirror are never removed.
   */
  keep?: string | number | undefined;
  /** How often this process prunes (1 h, jittered). */
  intervalMs?: number | undefined;
}

export interface StripeSettings {
  /** A secret or restricted key; features that call Stripe say clearly when it is missing. */
  apiKey?: string | undefined;
  /** `https://api.stripe.com`, or the local emulator. */
  apiBase?: string | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_DATA_DIR = "./.stripe-inbox";

/** The options with their defaults in place and checked: what the inbox's parts are made from. */
export interface Settings {
  secrets: string[];
  store: { databaseUrl: string | undefined; dataDir: string; schema: string };
  clock: Clock;
  log: Logger;
  receive: {
    toleranceSeconds: number;
    maxBodyBytes: number;
    maxUnverifiedBytes: number | undefined;
    path: string;
    poolSize: number | undefined;
  };
  workers: false | { concurrency: number; leaseMs?: number; pollMs?: number; pauseAfterFailures?: number | false };
  mirror: { schema: string; revalidate: readonly string[] } | null;
  /** Null: keep everything. */
  retention: { keepMs: number; intervalMs: number } | null;
  stripe: StripeSettings;
  onHandlerPaused: ((pause: HandlerPause) => void) | undefined;
}

export function resolveSettings(options: InboxOptions): Settings {
  const receive = options.receive ?? {};
  for (const [name, value] of [
    ["receive.toleranceSeconds", receive.toleranceSeconds],
    ["receive.maxBodyBytes", receive.maxBodyBytes],
  ] as const) {
    // NaN would silently disable the check it bounds (`skew > NaN` is never true).
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new ConfigError(`${name} must be a non-negative integer, not ${value}.`);
    }
  }
  const log = options.logger ?? silentLogger;
  const secrets = parseSecrets(options.secret);
  const unprefixed = secrets.filter((candidate) => !candidate.startsWith("whsec_")).length;
  if (unprefixed > 0) {
    log.warn(`${unprefixed} of the ${secrets.length} webhook secret(s) do not start with whsec_: Stripe's always do.`);
  }
  const mirror = options.mirror === true ? {} : options.mirror || null;
  return {
    secrets,
    store: {
      databaseUrl: options.database || undefined,
      dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
      schema: options.schema ?? DEFAULT_SCHEMA,
    },
    clock: options.clock ?? systemClock,
    log,
    receive: {
      toleranceSeconds: receive.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
      maxBodyBytes: receive.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxUnverifiedBytes: receive.maxUnverifiedBytes,
      path: receive.path ?? DEFAULT_WEBHOOK_PATH,
      poolSize: receive.poolSize,
    },
    workers: workerSettings(options.workers),
    mirror: mirror && {
      schema: checkMirrorSchema(mirror.schema ?? DEFAULT_MIRROR_SCHEMA),
      revalidate: mirror.revalidate ?? [],
    },
    retention: retentionSettings(options.retention),
    stripe: options.stripe ?? {},
    onHandlerPaused: options.onHandlerPaused,
  };
}

function workerSettings(given: InboxOptions["workers"]): Settings["workers"] {
  if (given === false) return false;
  return {
    concurrency: given?.concurrency ?? DEFAULT_CONCURRENCY,
    ...(given?.leaseMs !== undefined && { leaseMs: given.leaseMs }),
    ...(given?.pollMs !== undefined && { pollMs: given.pollMs }),
    ...(given?.pauseAfterFailures !== undefined && { pauseAfterFailures: given.pauseAfterFailures }),
  };
}

export const DEFAULT_PRUNE_INTERVAL_MS = 3_600_000;

function retentionSettings(given: InboxOptions["retention"]): Settings["retention"] {
  if (given === false) return null;
  const keepMs = parseRetention(given?.keep ?? DEFAULT_RETENTION, "retention.keep");
  const intervalMs = given?.intervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
  if (!(Number.isInteger(intervalMs) && intervalMs > 0)) {
    throw new ConfigError(`retention.intervalMs must be a positive integer, not ${intervalMs}.`);
  }
  return keepMs === null ? null : { keepMs, intervalMs };
}

/** `whsec_a,whsec_b`: every secret valid during a rotation. */
export function parseSecrets(value: string | readonly string[] | undefined): string[] {
  const list = typeof value === "string" ? value.split(",") : (value ?? []);
  return [...new Set(list.map((secret) => secret.trim()).filter((secret) => secret !== ""))];
}
