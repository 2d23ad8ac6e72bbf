import type { Logger } from "pino";
import { mirrorReadiness } from "../mirror/readiness.js";
import { currentMigration, LATEST_MIGRATION } from "../store/migrate.js";
import type { Store } from "../store/store.js";

export type NotReadyReason =
  | "store_unavailable"
  | "store_timeout"
  | "migrations_pending"
  | "mirror_migrations_pending"
  | "workers_not_started";

/** What `/readyz` answers: a reason code only, never a driver's message (it names hosts and ports), which is logged. */
export type Readiness = { ready: true } | { ready: false; reason: NotReadyReason };

/** A probe must get its answer within a second, whatever the database does (a blackholed connection hangs). */
export const READINESS_TIMEOUT_MS = 1_000;

interface ReadinessParts {
  store: () => Promise<Store>;
  /** The inbox's mirror schema, when it keeps one. */
  mirrorSchema: string | null;
  /** True when handlers are registered and events arrive, but no worker of this process runs them. */
  workersNotStarted: () => boolean;
  log: Logger;
}

/**
 * The inbox's readiness, checked at most once at a time (probes during an outage share the check in flight rather
 * than queueing queries behind it) and answered within READINESS_TIMEOUT_MS.
 */
export function inboxReadiness(parts: ReadinessParts): () => Promise<Readiness> {
  let inFlight: Promise<Readiness> | null = null;
  let lastReason: NotReadyReason | null = null;

  const check = async (): Promise<Readiness> => {
    try {
      const store = await parts.store();
      if ((await currentMigration(store)) !== LATEST_MIGRATION) return notReady("migrations_pending");
      if (parts.mirrorSchema !== null && (await mirrorReadiness(store, parts.mirrorSchema)) !== null) {
        return notReady("mirror_migrations_pending");
      }
    } catch (error) {
      return notReady("store_unavailable", error);
    }
    if (parts.workersNotStarted()) return notReady("workers_not_started");
    lastReason = null;
    return { ready: true };
  };

  const notReady = (reason: NotReadyReason, error?: unknown): Readiness => {
    if (reason !== lastReason) parts.log.warn({ err: error, reason }, "not ready");
    lastReason = reason;
    return { ready: false, reason };
  };

  return () => {
    inFlight ??= check().finally(() => {
      inFlight = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Readiness>((resolve) => {
      timer = setTimeout(() => resolve(notReady("store_timeout")), READINESS_TIMEOUT_MS);
    });
    return Promise.race([inFlight, timeout]).finally(() => clearTimeout(timer));
  };
}
