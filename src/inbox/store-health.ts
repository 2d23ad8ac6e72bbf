import { type QueueState, readQueueState } from "../metrics/queue-state.js";
import { currentMigration, LATEST_MIGRATION } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { listStoredEndpoints, type StoredEndpointSummary } from "./stored-secrets.js";

/** What `stripe-inbox doctor` reads from the store, on the store itself or through a running server's admin API. */
export interface StoreHealth {
  engine: Store["engine"];
  schema: string;
  migrations: { current: number; latest: number };
  /** The database's now(), to compare with the local clock. */
  databaseNow: string;
  /** Null until the migrations are current: the tables it reads may not exist yet. */
  queue: QueueState | null;
  storedEndpoints: StoredEndpointSummary[] | null;
}

/** Reads the store's state without changing it: no migration runs. */
export async function readStoreHealth(store: Store): Promise<StoreHealth> {
  const [clock] = await store.query<{ now: string }>("SELECT to_json(now())#>>'{}' AS now");
  const current = await currentMigration(store);
  const migrated = current >= LATEST_MIGRATION;
  return {
    engine: store.engine,
    schema: store.schema,
    migrations: { current, latest: LATEST_MIGRATION },
    databaseNow: clock?.now ?? "",
    queue: migrated ? await readQueueState(store) : null,
    storedEndpoints: migrated ? await listStoredEndpoints(store) : null,
  };
}
