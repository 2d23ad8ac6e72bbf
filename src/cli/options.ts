import type { Command } from "commander";
import { configFromEnv, type InboxConfig, parsePort } from "../config.js";
import { ConfigError } from "../errors.js";
import { parsePruneEvery, parseRetention } from "../retention/duration.js";

/** Flags shared by every command that opens the store; each overrides its environment variable. */
export function withStoreOptions(command: Command): Command {
  return command
    .option("--database-url <url>", "Postgres connection string (env DATABASE_URL); default: embedded PGlite")
    .option("--data-dir <dir>", "embedded database and dev secret (env STRIPE_INBOX_DATA_DIR)")
    .option("--schema <name>", "inbox schema (env STRIPE_INBOX_SCHEMA)");
}

export interface StoreFlags {
  databaseUrl?: string;
  dataDir?: string;
  schema?: string;
}

export function resolveConfig(flags: StoreFlags & { port?: string; host?: string }): InboxConfig {
  const config = configFromEnv();
  if (flags.databaseUrl) config.database = flags.databaseUrl;
  if (flags.dataDir) config.dataDir = flags.dataDir;
  if (flags.schema) config.schema = flags.schema;
  if (flags.host) config.listen.host = flags.host;
  if (flags.port !== undefined) config.listen.port = parsePort(flags.port, "--port");
  return config;
}

export function storeConfig(config: InboxConfig) {
  return { databaseUrl: config.database, dataDir: config.dataDir, schema: config.schema };
}

const MAX_LEASE_MS = 24 * 3_600_000;
const LEASE_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * `--lease`: `1500ms`, `30s`, `5m`, `1h`. Not under 1s (a run would be taken over while its handler still runs) nor
 * over 24h; a bare number is refused, as `30` could mean seconds as well as milliseconds.
 */
export function parseLease(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  const ms = match ? Number(match[1]) * LEASE_UNIT_MS[match[2] as keyof typeof LEASE_UNIT_MS] : Number.NaN;
  if (!(ms >= 1_000 && ms <= MAX_LEASE_MS)) {
    throw new ConfigError(`--lease must be a duration from 1s to 24h, such as 30s, 5m or 1500ms; not "${value}".`);
  }
  return ms;
}

/** `--retention`, else STRIPE_INBOX_RETENTION (90d): milliseconds, or null for `off`. */
export function resolveRetention(config: InboxConfig, flag: string | undefined): number | null {
  return flag === undefined
    ? parseRetention(config.retention.keep, "STRIPE_INBOX_RETENTION")
    : parseRetention(flag, "--retention");
}

/**
 * The library's `retention` for a process that may prune: what to keep (`--retention`) and how often to prune
 * (`--prune-every`, else STRIPE_INBOX_PRUNE_EVERY, else the library's hourly default); false when nothing is pruned.
 */
export function retentionOption(
  config: InboxConfig,
  flags: { retention?: string; pruneEvery?: string },
): { keep: number; intervalMs?: number } | false {
  const keep = resolveRetention(config, flags.retention);
  const intervalMs =
    flags.pruneEvery === undefined ? config.retention.intervalMs : parsePruneEvery(flags.pruneEvery, "--prune-every");
  if (keep === null) return false;
  return { keep, ...(intervalMs !== undefined && { intervalMs }) };
}

export const PRUNE_EVERY_HELP =
  "how often this process prunes: 30s, 15m, 1h (env STRIPE_INBOX_PRUNE_EVERY, default 1h)";
