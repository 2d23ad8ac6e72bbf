import { createDeliveryRecorder, type DeliveryRecorder } from "../inbox/record-deliveries.js";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import { migrateMirror } from "../mirror/migrate.js";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import { createPartitionsAhead } from "../store/partitions.js";
import type { Store } from "../store/store.js";
import { toStoreUnavailable } from "../store/unavailable.js";
import type { Settings } from "./options.js";

/** How often a running process checks the month partitions ahead exist: they are made months before they are needed. */
const PARTITION_UPKEEP_MS = 6 * 3_600_000;

export interface OpenedStore {
  store: Store;
  /** The group commit that records deliveries. */
  recorder: DeliveryRecorder;
}

export interface InboxStore {
  /**
   * The store, opened and migrated (the mirror's migrations too) on first use. A failure is not kept: the next
   * call tries again, as the database may be back by then. Rejects once `close` was called.
   */
  open(): Promise<OpenedStore>;
  /** Refuses new opens, waits for the deliveries being committed, and closes the store. */
  close(): Promise<void>;
}

export function inboxStore(settings: Settings, metrics: InboxMetrics): InboxStore {
  let opened: Promise<OpenedStore> | null = null;
  let closed = false;

  const openAndMigrate = async (): Promise<OpenedStore> => {
    const store = await openStore({
      ...settings.store,
      ...(settings.receive.poolSize !== undefined && { poolSize: settings.receive.poolSize }),
      onError: (error: Error) => settings.log.warn({ err: error }, "idle database connection failed"),
    });
    try {
      await migrate(store, settings.clock());
      if (settings.mirror) await migrateMirror(store, settings.mirror.schema);
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
    keepPartitionsAhead(store);
    return { store, recorder: createDeliveryRecorder(store, metrics.batchCommitted) };
  };
  // migrate made this month's partitions and the next two; a process running for months makes the next ones.
  let partitionTimer: NodeJS.Timeout | null = null;
  const keepPartitionsAhead = (store: Store) => {
    partitionTimer = setInterval(() => {
      createPartitionsAhead(store, settings.clock()).catch((error: unknown) =>
        settings.log.warn({ err: error }, "creating the next month partitions failed; trying again later"),
      );
    }, PARTITION_UPKEEP_MS);
    // Never what keeps a process alive.
    partitionTimer.unref();
  };

  return {
    open() {
      if (closed) return Promise.reject(toStoreUnavailable(new Error("the inbox is stopping")));
      opened ??= openAndMigrate().catch((error: unknown) => {
        opened = null;
        throw error;
      });
      return opened;
    },
    async close() {
      closed = true;
      if (partitionTimer) clearInterval(partitionTimer);
      const current = opened;
      if (!current) return;
      const { store, recorder } = await current.catch(() => ({ store: null, recorder: null }));
      await recorder?.drain();
      await store?.close();
    },
  };
}
