import { ConfigError } from "../errors.js";
import { formatRetention } from "../retention/duration.js";
import { type PruneResult, prune } from "../retention/prune.js";
import { type PruneSchedule, schedulePrune } from "../retention/schedule.js";
import type { Store } from "../store/store.js";
import type { Settings } from "./options.js";

export interface InboxRetention {
  /** Starts pruning about hourly in this process, when retention is on; the process running workers calls it. */
  start(): void;
  /** Prunes now: up to `before`, by default the retention back from now. */
  prune(options?: { before?: Date | undefined; dryRun?: boolean | undefined }): Promise<PruneResult>;
  stop(): Promise<void>;
}

export function inboxRetention(settings: Settings, parts: { store: () => Promise<Store> }): InboxRetention {
  const { retention, log, clock } = settings;
  let schedule: PruneSchedule | null = null;
  const pruneNow = async (options: Parameters<InboxRetention["prune"]>[0] = {}, signal?: AbortSignal) => {
    const now = clock();
    const before = options.before ?? (retention && new Date(now.getTime() - retention.keepMs));
    if (!before) throw new ConfigError("Retention is off: say up to when to prune (`before`).");
    return prune(await parts.store(), { before, now, dryRun: options.dryRun, signal });
  };
  return {
    start() {
      if (!retention || schedule) return;
      schedule = schedulePrune({
        intervalMs: retention.intervalMs,
        log,
        async prune(signal) {
          const result = await pruneNow({}, signal);
          if (result.events + result.deliveries + result.expiredIds > 0) {
            log.info({ ...result, retention: formatRetention(retention.keepMs) }, "pruned");
          }
        },
      });
    },
    prune: (options) => pruneNow(options),
    async stop() {
      await schedule?.stop();
      schedule = null;
    },
  };
}
