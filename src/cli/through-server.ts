import type { InboxConfig } from "../config.js";
import { ADMIN_TOKEN_ENV } from "../dashboard/admin-auth.js";
import { type AdminClient, adminClient, findRunningServer } from "../dashboard/admin-client.js";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { resolveConfig, type StoreFlags, storeConfig } from "./options.js";

/**
 * Runs a command through the admin API of the `serve` that holds this PGlite data dir (it writes serve.json there),
 * or on the store itself: on Postgres, or when no server runs. The token is STRIPE_INBOX_ADMIN_TOKEN.
 */
export async function throughServerOrStore<T>(
  flags: StoreFlags,
  ways: { server: (client: AdminClient) => Promise<T>; store: (store: Store) => Promise<T> },
): Promise<T> {
  const config = resolveConfig(flags);
  const base = config.database ? null : findRunningServer(config.dataDir);
  if (base) return ways.server(adminClient(base, process.env[ADMIN_TOKEN_ENV] || null));
  return withStore(config, ways.store);
}

/** Opens and migrates the store for one command, and closes it after. */
async function withStore<T>(config: InboxConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfig(config));
  try {
    await migrate(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}
