export interface Lifecycle {
  start(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * `start` and `stop` safe to call any number of times: a start that failed is tried again from scratch by the next
 * call (the database may be back by then), and every stop waits for the first instead of closing twice.
 */
export function lifecycle(steps: {
  start: () => Promise<void>;
  stop: (graceMs: number | undefined) => Promise<void>;
}): Lifecycle {
  let started: Promise<void> | null = null;
  let stopped: Promise<void> | null = null;
  return {
    start() {
      started ??= steps.start().catch((error: unknown) => {
        started = null;
        throw error;
      });
      return started;
    },
    stop(graceMs) {
      stopped ??= steps.stop(graceMs);
      return stopped;
    },
  };
}
