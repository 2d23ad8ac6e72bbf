import type { HealthSample } from "./health-history.js";

export interface AlertThresholds {
  /** The oldest pending event is older than this: handlers are down or far behind. */
  oldestPendingSeconds: number;
  /** A rejection spike: at least this many rejected deliveries in one sample... */
  rejectionsPerSample: number;
  /** ...making up at least this share of all deliveries in it (a wrong secret rejects nearly all). */
  rejectedShare: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  oldestPendingSeconds: 900,
  rejectionsPerSample: 5,
  rejectedShare: 0.5,
};

export type AlertKind = "dead_letters" | "oldest_pending" | "rejection_spike" | "store_unreachable";

/** What the rules see in one sample: each kind is active or not, and whether this sample brings news of it. */
export interface Condition {
  kind: AlertKind;
  active: boolean;
  /** Worth a message (rate limits permitting); false while a known state merely lasts (old dead letters). */
  news: boolean;
  /** Said when it starts or goes on firing; `recovered` once it stops. */
  message: string;
  recovered: string;
}

/** Reads one sample against the thresholds; `previousDead` is the dead count the sample before saw. */
export function evaluate(sample: HealthSample, previousDead: number | null, thresholds: AlertThresholds): Condition[] {
  const rejected = Object.values(sample.rejections).reduce((sum, count) => sum + count, 0);
  const reasons = Object.entries(sample.rejections)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
  const signatureTrouble = Object.keys(sample.rejections).some((reason) => reason.startsWith("signature_"));
  const newlyDead = sample.dead !== null && previousDead !== null ? sample.dead - previousDead : 0;
  const oldest = sample.oldestPendingSeconds;
  return [
    {
      kind: "store_unreachable",
      active: sample.pending === null,
      news: true,
      message: "The database did not answer the health check in time; deliveries may be answered 503.",
      recovered: "The database answers again.",
    },
    {
      kind: "dead_letters",
      // Over until no dead run is left (replayed), so one dead letter is one message, not one plus a recovery.
      active: sample.dead === null ? previousDead !== null && previousDead > 0 : sample.dead > 0,
      news: newlyDead > 0,
      message: `${newlyDead} handler run(s) dead-lettered (${sample.dead} dead in all). Look at the dashboard's dead-letter view; replay with \`stripe-inbox replay --dead\` once fixed.`,
      recovered: "No dead-lettered runs are left.",
    },
    {
      kind: "oldest_pending",
      active: oldest !== null && oldest > thresholds.oldestPendingSeconds,
      news: true,
      message: `The oldest pending event waits for ${Math.round(oldest ?? 0)} s (threshold ${thresholds.oldestPendingSeconds} s), ${sample.pending} pending: are the workers running?`,
      recovered: `Pending events are processed again within ${thresholds.oldestPendingSeconds} s.`,
    },
    {
      kind: "rejection_spike",
      news: true,
      active:
        rejected >= thresholds.rejectionsPerSample &&
        rejected >= thresholds.rejectedShare * (rejected + sample.deliveries),
      message: `${rejected} of ${rejected + sample.deliveries} deliveries rejected in ${Math.round(sample.intervalSeconds)} s (${reasons}).${signatureTrouble ? " A secret rotated in Stripe but not here? Check STRIPE_WEBHOOK_SECRET." : ""}`,
      recovered: "Deliveries are accepted again.",
    },
  ];
}
