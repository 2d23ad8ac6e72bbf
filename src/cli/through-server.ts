import type { InboxConfig } from "../config.js";
import { ADMIN_TOKEN_ENV } from "../dashboard/admin-auth.js";
import { type AdminClient, adminClient, findRunningServer } from "../dashboard/admin-client.js";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { storeConfig } from "./options.js";

/**
 * The admin API of the `serve` that holds this PGlite data dir (it writes serve.json there), or null when the
 * command may open the store itself: on Postgres, or when no server runs. The token is STRIPE_INBOX_ADMIN_TOKEN.
 */
export function runningServer(config: InboxConfig): AdminClient | null {
  if (config.databaseUrl) return null;
  const base = findRunningServer(config.dataDir);
  return base ? adminClient(base, process.env[ADMIN_TOKEN_ENV] || null) : null;
}

/** Opens and migrates the store for one command, and closes it after. */
export async function withStore<T>(config: InboxConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfig(config));
  try {
    await migrate(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}
