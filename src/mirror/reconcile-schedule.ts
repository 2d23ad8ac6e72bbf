import type { Logger } from "pino";
import type { ReconcileOptions, ReconcileResult } from "./reconcile.js";

/**
 * Runs `reconcile` (`inbox.reconcile`) now and then every `everyMs` (`serve --reconcile-every`), each time over the
 * last two intervals so that a run that failed or was slow leaves no gap. A run still going when the next is due is
 * not doubled. Returns a function that stops the schedule.
 */
export function scheduleReconcile(options: {
  reconcile: (options: ReconcileOptions) => Promise<ReconcileResult>;
  everyMs: number;
  /** '' for the platform, `acct_...` for connected accounts (see reconcile); the platform alone by default. */
  accounts?: readonly string[];
  log: Logger;
}): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const since = new Date(Date.now() - 2 * options.everyMs);
      const result = await options.reconcile({ since, accounts: options.accounts });
      options.log.info(result, "reconcile: stored the events the inbox missed");
    } catch (error) {
      options.log.warn({ err: error }, "reconcile failed; trying again at the next interval");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
