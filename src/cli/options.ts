import type { Command } from "commander";
import { configFromEnv, type InboxConfig, parsePort } from "../config.js";

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
