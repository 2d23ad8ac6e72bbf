import { ConfigError } from "./errors.js";
import { DEFAULT_WEBHOOK_PATH } from "./http/server.js";
import { DEFAULT_DATA_DIR, DEFAULT_MAX_BODY_BYTES, type InboxOptions, parseSecrets } from "./library/options.js";
import { DEFAULT_RETENTION, parsePruneEvery, parseRetention } from "./retention/duration.js";
import { DEFAULT_SCHEMA } from "./store/store.js";
import { DEFAULT_TOLERANCE_SECONDS } from "./verify/verify.js";

export { parseSecrets };

export const DEFAULT_PORT = 4242;
export const DEFAULT_HOST = "127.0.0.1";

/**
 * The inbox's options as read from the environment (see the README's configuration table), so that
 * `createInbox(configFromEnv())` makes the inbox `stripe-inbox serve` would; `listen` is where `serve` listens.
 */
export interface InboxConfig extends InboxOptions {
  secret: string[];
  database: string | undefined;
  dataDir: string;
  schema: string;
  receive: { toleranceSeconds: number; maxBodyBytes: number; path: string };
  stripe: { apiKey: string | undefined; apiBase: string | undefined };
  /**
   * STRIPE_INBOX_RETENTION: `90d` by default, `off` keeps everything; STRIPE_INBOX_PRUNE_EVERY: how often a process
   * running workers prunes (1h when unset).
   */
  retention: { keep: string; intervalMs?: number };
  listen: { host: string; port: number };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): InboxConfig {
  return {
    secret: parseSecrets(env.STRIPE_WEBHOOK_SECRET),
    database: env.DATABASE_URL || undefined,
    dataDir: env.STRIPE_INBOX_DATA_DIR || DEFAULT_DATA_DIR,
    schema: env.STRIPE_INBOX_SCHEMA || DEFAULT_SCHEMA,
    receive: {
      toleranceSeconds: positiveInteger(env, "STRIPE_INBOX_TOLERANCE_SECONDS", DEFAULT_TOLERANCE_SECONDS),
      maxBodyBytes: positiveInteger(env, "STRIPE_INBOX_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
      path: env.STRIPE_INBOX_WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH,
    },
    stripe: { apiKey: env.STRIPE_API_KEY || undefined, apiBase: env.STRIPE_API_BASE || undefined },
    retention: {
      keep: retentionFromEnv(env),
      ...(env.STRIPE_INBOX_PRUNE_EVERY && {
        intervalMs: parsePruneEvery(env.STRIPE_INBOX_PRUNE_EVERY, "STRIPE_INBOX_PRUNE_EVERY"),
      }),
    },
    listen: { host: env.HOST || DEFAULT_HOST, port: parsePort(env.PORT) },
  };
}

function retentionFromEnv(env: NodeJS.ProcessEnv): string {
  const keep = env.STRIPE_INBOX_RETENTION?.trim() || DEFAULT_RETENTION;
  parseRetention(keep, "STRIPE_INBOX_RETENTION");
  return keep;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive integer, not "${raw}".`);
  return value;
}

/** A listen port from `PORT` or `--port` (named by `source` in the error). */
export function parsePort(raw: string | undefined, source = "PORT"): number {
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new ConfigError(`${source} must be 0-65535, not "${raw}".`);
  return value;
}
