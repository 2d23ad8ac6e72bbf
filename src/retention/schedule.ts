import type { Logger } from "../log.js";

/** The first prune comes soon after start, so a process restarted more often than hourly still prunes. */
const FIRST_PRUNE_MS = 5 * 60_000;

export interface PruneSchedule {
  /** No further prune starts; one running stops after its current batch, and is waited for. */
  stop(): Promise<void>;
}

/**
 * Runs `prune` about every `intervalMs`, each wait jittered by ±10 % so that processes started together do not
 * prune together. Timers never keep the process alive; a failed prune is logged and the next one tries again.
 */
export function schedulePrune(options: {
  intervalMs: number;
  prune: (signal: AbortSignal) => Promise<void>;
  log: Logger;
}): PruneSchedule {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const jittered = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));
  const next = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = options
        .prune(stopping.signal)
        .catch((error: unknown) => options.log.warn({ err: error }, "prune failed; trying again at the next one"))
        .finally(() => {
          running = null;
          next(jittered(options.intervalMs));
        });
    }, ms);
    timer.unref();
  };
  next(jittered(Math.min(FIRST_PRUNE_MS, options.intervalMs)));
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
