import { type CheckResult, fail, ok, warn } from "./report.js";

/** Past this, times written by this machine and by the other clock disagree enough to show in lists and leases. */
const WARN_AFTER_MS = 5_000;

export interface ClockReading {
  /** The other clock's time. */
  remote: Date;
  /** This machine's clock just before the request and just after its answer. */
  sentAt: number;
  answeredAt: number;
  /** How coarse the remote time is: an HTTP Date header counts whole seconds. */
  resolutionMs: number;
}

/** The other clock minus ours, and how far off that estimate may be (half the round trip plus the resolution). */
export function clockOffset({ remote, sentAt, answeredAt, resolutionMs }: ClockReading): {
  offsetMs: number;
  uncertaintyMs: number;
} {
  return {
    offsetMs: remote.getTime() - (sentAt + answeredAt) / 2,
    uncertaintyMs: (answeredAt - sentAt) / 2 + resolutionMs,
  };
}

/**
 * Judges a clock difference. A skew beyond the signature tolerance fails: Stripe's `t=` is compared with this
 * machine's clock, so every delivery would be refused as `timestamp_outside_tolerance`.
 */
export function judgeClock(check: string, other: string, reading: ClockReading, toleranceSeconds: number): CheckResult {
  const { offsetMs, uncertaintyMs } = clockOffset(reading);
  const certainlyOff = Math.max(0, Math.abs(offsetMs) - uncertaintyMs);
  const direction = offsetMs > 0 ? "behind" : "ahead of";
  const amount = `${(Math.abs(offsetMs) / 1000).toFixed(1)} s`;
  if (certainlyOff > toleranceSeconds * 1000) {
    return fail(
      check,
      `this machine's clock is ${amount} ${direction} ${other}, beyond the ${toleranceSeconds} s signature tolerance: ` +
        "deliveries are refused as timestamp_outside_tolerance; sync the clock (NTP)",
    );
  }
  if (certainlyOff > WARN_AFTER_MS) {
    return warn(check, `this machine's clock is ${amount} ${direction} ${other}; sync it (NTP)`);
  }
  return ok(check, `within ${Math.max(1, Math.ceil((Math.abs(offsetMs) + uncertaintyMs) / 1000))} s of ${other}`);
}
