export interface RetryPolicy {
  /** Runs in all, the first included; then the run is dead-lettered. */
  maxAttempts: number;
  /** Delay before the second attempt; each later one doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 10 attempts over about a day: 3 min, 6 min, 12 min ... capped at 8 h (about 15 h in all with jitter). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 180_000, maxDelayMs: 8 * 3_600_000 };

/**
 * The delay after failed attempt `attempt` (1-based). Jitter spreads retries of a burst of failures so they do
 * not all hit a recovering dependency at once; it stays within [half, full] of the exponential delay.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
