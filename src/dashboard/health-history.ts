import type { Logger } from "pino";
import type { InboxMetrics, MetricTotals } from "../metrics/inbox-metrics.js";

/** One point of the health page's charts: what happened during the interval that ends at `at`. */
export interface HealthSample {
  at: string;
  intervalSeconds: number;
  /** Stored and duplicate deliveries (acknowledged). */
  deliveries: number;
  /** Rejected or unavailable deliveries, by error code. */
  rejections: Record<string, number>;
  /** Events not yet fanned out plus runs still to do; null when the store did not answer. */
  pending: number | null;
  oldestPendingSeconds: number | null;
  /** Dead-lettered runs in the database (every process's), null when the store did not answer. */
  dead: number | null;
  handlerFailures: number;
  /** The ack latency under which 99% of this interval's acks fell (a histogram bucket's bound); null without acks. */
  ackP99Seconds: number | null;
}

export interface HealthHistory {
  samples(): HealthSample[];
  /** Called with every new sample (the alerts watch them). */
  onSample(listener: (sample: HealthSample) => void): void;
  stop(): void;
}

/**
 * Samples this process's counters and the database's queue every `intervalMs` and keeps the last `keep` samples,
 * in memory: the charts cover this process since it started (an hour by default).
 */
export function startHealthHistory(
  metrics: InboxMetrics,
  { intervalMs = 10_000, keep = 360, log }: { intervalMs?: number; keep?: number; log?: Logger } = {},
): HealthHistory {
  const history: HealthSample[] = [];
  const listeners: Array<(sample: HealthSample) => void> = [];
  let previous: { totals: MetricTotals; at: number } | null = null;
  let sampling = false;

  const sample = async () => {
    if (sampling) return; // a slow database must not pile samples up
    sampling = true;
    try {
      const [totals, queue] = await Promise.all([metrics.totals(), metrics.queueState()]);
      const at = Date.now();
      if (previous) {
        const point: HealthSample = {
          at: new Date(at).toISOString(),
          intervalSeconds: (at - previous.at) / 1000,
          ...deliveryChanges(previous.totals, totals),
          pending: queue && queue.eventsAwaitingFanOut + queue.runs.pending + queue.runs.running + queue.runs.failed,
          oldestPendingSeconds: queue?.oldestPendingSeconds ?? null,
          dead: queue?.runs.dead ?? null,
          handlerFailures: totals.handlerFailures - previous.totals.handlerFailures,
          ackP99Seconds: ackP99(previous.totals, totals),
        };
        history.push(point);
        if (history.length > keep) history.splice(0, history.length - keep);
        for (const listener of listeners) {
          try {
            listener(point);
          } catch (error) {
            log?.error({ err: error }, "a health sample's listener threw");
          }
        }
      }
      previous = { totals, at };
    } finally {
      sampling = false;
    }
  };
  // Sampling runs on a timer: a failure is logged, never left as an unhandled rejection that ends the process.
  const sampleLogged = () => {
    sample().catch((error: unknown) => log?.warn({ err: error }, "could not take a health sample"));
  };
  sampleLogged();
  const timer = setInterval(sampleLogged, intervalMs);
  timer.unref();
  return {
    samples: () => [...history],
    onSample: (listener) => void listeners.push(listener),
    stop: () => clearInterval(timer),
  };
}

function deliveryChanges(before: MetricTotals, after: MetricTotals) {
  const countBefore = new Map(before.deliveries.map((row) => [`${row.outcome} ${row.reason}`, row.count]));
  let deliveries = 0;
  const rejections: Record<string, number> = {};
  for (const row of after.deliveries) {
    const change = row.count - (countBefore.get(`${row.outcome} ${row.reason}`) ?? 0);
    if (change === 0) continue;
    if (row.outcome === "stored" || row.outcome === "duplicate") deliveries += change;
    else rejections[row.reason || row.outcome] = (rejections[row.reason || row.outcome] ?? 0) + change;
  }
  return { deliveries, rejections };
}

function ackP99(before: MetricTotals, after: MetricTotals): number | null {
  const countBefore = new Map(before.ackBuckets.map((bucket) => [bucket.le, bucket.count]));
  const inInterval = after.ackBuckets.map((bucket) => ({
    le: bucket.le,
    count: bucket.count - (countBefore.get(bucket.le) ?? 0),
  }));
  const total = inInterval.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const bound = inInterval.find((bucket) => bucket.count >= total * 0.99)?.le ?? null;
  // Beyond the largest bucket: the chart shows that bound, the most the histogram can say.
  const finite = inInterval.filter((bucket) => Number.isFinite(bucket.le)).at(-1)?.le ?? null;
  return bound === Number.POSITIVE_INFINITY ? finite : bound;
}
