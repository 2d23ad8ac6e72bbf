import { ConfigError } from "../errors.js";
import { openPgliteStore } from "./pglite.js";
import { openPostgresStore } from "./postgres.js";
import { isPlainIdentifier, type Store } from "./store.js";

export interface StoreConfig {
  /** `postgres://...`; without it the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  schema: string;
  poolSize?: number;
  onError?: (error: Error) => void;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  if (!isPlainIdentifier(config.schema)) {
    throw new ConfigError(`Schema name "${config.schema}" must be a lower-case identifier ([a-z_][a-z0-9_]*).`);
  }
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://.");
    }
    return openPostgresStore({
      connectionString: config.databaseUrl,
      schema: config.schema,
      ...(config.poolSize !== undefined && { poolSize: config.poolSize }),
      ...(config.onError !== undefined && { onError: config.onError }),
    });
  }
  return openPgliteStore({ dataDir: config.dataDir, schema: config.schema });
}
