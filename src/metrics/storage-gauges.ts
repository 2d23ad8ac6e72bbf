import { Gauge, type Registry } from "prom-client";
import type { InboxStorage } from "../retention/storage.js";

/** Sizes change slowly and the next prune's count reads the events: read at most this often, whatever the scrapes. */
const STORAGE_READ_EVERY_MS = 60_000;

export interface StorageGauges {
  readFrom(read: () => Promise<InboxStorage>): void;
  /** Starts a read when the last is old enough, and waits for it at most `timeoutMs`: a slow one lands later. */
  refresh(timeoutMs: number): Promise<void>;
}

/** The inbox's size and what retention will remove, as gauges for `/metrics`. */
export function storageGauges(registers: Registry[]): StorageGauges {
  const tableBytes = new Gauge({
    name: "stripe_inbox_table_bytes",
    help: "Bytes on disk of each inbox table, with its indexes and TOAST (read at most once a minute).",
    labelNames: ["table"] as const,
    registers,
  });
  const tableRows = new Gauge({
    name: "stripe_inbox_table_rows",
    help: "Rows of each inbox table, as Postgres estimates them (read at most once a minute).",
    labelNames: ["table"] as const,
    registers,
  });
  const oldestEvent = new Gauge({
    name: "stripe_inbox_oldest_event_age_seconds",
    help: "Age of the oldest event the inbox keeps (by its receipt); 0 when it keeps none, or when the database did not answer.",
    registers,
  });
  const prunable = new Gauge({
    name: "stripe_inbox_prunable_events",
    help: "Events the next prune will remove at the retention's cut, labelled with the retention; absent when it is off.",
    labelNames: ["retention"] as const,
    registers,
  });
  const gauges = [tableBytes, tableRows, oldestEvent, prunable];
  let read: (() => Promise<InboxStorage>) | null = null;
  let last: { at: number; done: Promise<void> } | null = null;

  const show = (storage: InboxStorage) => {
    for (const gauge of gauges) gauge.reset();
    for (const table of storage.tables) {
      tableBytes.set({ table: table.name }, table.bytes);
      tableRows.set({ table: table.name }, table.rows);
    }
    const oldest = storage.oldestEventAt ? Date.parse(storage.oldestEventAt) : null;
    oldestEvent.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    if (storage.nextPrune) prunable.set({ retention: storage.retention }, storage.nextPrune.events);
  };

  return {
    readFrom(fn) {
      read = fn;
    },
    async refresh(timeoutMs) {
      if (!read) return;
      if (!last || Date.now() - last.at >= STORAGE_READ_EVERY_MS) {
        const started = { at: Date.now(), done: Promise.resolve() };
        started.done = read().then(show, () => {
          // Absent beats stale; the next scrape tries again.
          for (const gauge of gauges) gauge.reset();
          if (last === started) last = null;
        });
        last = started;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([last.done, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
