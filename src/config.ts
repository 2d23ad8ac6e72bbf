import { ConfigError } from "./errors.js";
import { DEFAULT_WEBHOOK_PATH } from "./http/server.js";
import { DEFAULT_SCHEMA } from "./store/store.js";
import { DEFAULT_TOLERANCE_SECONDS } from "./verify/verify.js";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_DATA_DIR = "./.stripe-inbox";
export const DEFAULT_PORT = 4242;
export const DEFAULT_HOST = "127.0.0.1";

/** Everything configurable, as read from the environment (see the README's configuration table). */
export interface InboxConfig {
  secrets: string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  databaseUrl: string | undefined;
  dataDir: string;
  schema: string;
  host: string;
  port: number;
  path: string;
  stripeApiKey: string | undefined;
  stripeApiBase: string | undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): InboxConfig {
  return {
    secrets: parseSecrets(env.STRIPE_WEBHOOK_SECRET),
    toleranceSeconds: positiveInteger(env, "STRIPE_INBOX_TOLERANCE_SECONDS", DEFAULT_TOLERANCE_SECONDS),
    maxBodyBytes: positiveInteger(env, "STRIPE_INBOX_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.STRIPE_INBOX_DATA_DIR || DEFAULT_DATA_DIR,
    schema: env.STRIPE_INBOX_SCHEMA || DEFAULT_SCHEMA,
    host: env.HOST || DEFAULT_HOST,
    port: parsePort(env.PORT),
    path: env.STRIPE_INBOX_WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH,
    stripeApiKey: env.STRIPE_API_KEY || undefined,
    stripeApiBase: env.STRIPE_API_BASE || undefined,
  };
}

/** `whsec_a,whsec_b`: every secret valid during a rotation. */
export function parseSecrets(value: string | readonly string[] | undefined): string[] {
  const list = typeof value === "string" ? value.split(",") : (value ?? []);
  return [...new Set(list.map((secret) => secret.trim()).filter((secret) => secret !== ""))];
}

export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
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
