import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { InboxStorage } from "../retention/storage.js";
import { type QueueState, withTimeout } from "./queue-state.js";
import { storageGauges } from "./storage-gauges.js";

/** How a delivery was answered: 2xx stored or duplicate, 4xx rejected (with its error code), 503 unavailable. */
export type DeliveryOutcome = "stored" | "duplicate" | "rejected" | "unavailable";
/** What the worker reports for a finished run (see RunOutcome in src/worker/execute-run.ts). */
export type RunOutcomeLabel = "succeeded" | "failed" | "dead" | "lost";

export interface InboxMetrics {
  /** This inbox's own registry: two inboxes in one process never share (or clash on) a metric. */
  readonly registry: Registry;
  deliveryAnswered(outcome: DeliveryOutcome, reason: string | null, seconds: number): void;
  batchCommitted(size: number): void;
  /** The HTTP server refused a connection or request before any route saw it (timeout, connection cap, bad HTTP). */
  httpRefused(reason: string): void;
  runFinished(outcome: RunOutcomeLabel, handler: string): void;
  handlerTimed(handler: string, result: "returned" | "threw", seconds: number): void;
  /** Where the scrape reads the queue gauges from (the database). */
  readQueueFrom(read: () => Promise<QueueState>): void;
  /** Where the scrape reads the storage gauges from (table sizes, oldest event, what the next prune removes). */
  readStorageFrom(read: () => Promise<InboxStorage>): void;
  /** The Prometheus text exposition, with the queue gauges read fresh (or left out if the store is too slow). */
  scrape(): Promise<string>;
  /** Reads the queue state now (null if the store does not answer in time), updating the gauges. */
  queueState(): Promise<QueueState | null>;
  /** The counters so far, for the dashboard's health history. */
  totals(): Promise<MetricTotals>;
}

export interface MetricTotals {
  deliveries: Array<{ outcome: string; reason: string; count: number }>;
  /** Handler runs that failed (retry scheduled) or were dead-lettered. */
  handlerFailures: number;
  /** Cumulative ack-latency buckets: upper bound in seconds (Infinity last) and the count at or below it. */
  ackBuckets: Array<{ le: number; count: number }>;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
const DEFAULT_SCRAPE_TIMEOUT_MS = 1_000;

export function createInboxMetrics(options: { scrapeTimeoutMs?: number } = {}): InboxMetrics {
  const registry = new Registry();
  const registers = [registry];
  const deliveries = new Counter({
    name: "stripe_inbox_deliveries_total",
    help: "Webhook deliveries answered, by outcome and, for rejections, the stable error code.",
    labelNames: ["outcome", "reason"] as const,
    registers,
  });
  const ackLatency = new Histogram({
    name: "stripe_inbox_ack_latency_seconds",
    help: "From the delivery reaching the receiver, before its body is read, to the 200 after the commit (stored and duplicate ones).",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const batchSizes = new Histogram({
    name: "stripe_inbox_group_commit_batch_size",
    help: "Deliveries committed together in one group-commit transaction.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers,
  });
  const refused = new Counter({
    name: "stripe_inbox_http_refused_total",
    help: "Requests and connections the server refused before routing them: request_timeout (408), headers_too_large (431), bad_request (400), connection_limit (closed at once).",
    labelNames: ["reason"] as const,
    registers,
  });
  const runs = new Counter({
    name: "stripe_inbox_handler_runs_total",
    help: "Handler runs finished by this process: succeeded, failed (a retry is scheduled), dead, or lost (lease taken over).",
    labelNames: ["handler", "outcome"] as const,
    registers,
  });
  const retries = new Counter({
    name: "stripe_inbox_handler_retries_total",
    help: "Retries scheduled after a handler failed.",
    labelNames: ["handler"] as const,
    registers,
  });
  const handlerDuration = new Histogram({
    name: "stripe_inbox_handler_duration_seconds",
    help: "Time spent in the handler function, by whether it returned or threw.",
    labelNames: ["handler", "result"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const eventsAwaitingFanOut = new Gauge({
    name: "stripe_inbox_events_awaiting_fan_out",
    help: "Events stored but not yet matched to handlers (read from the database at scrape time).",
    registers,
  });
  const runsByStatus = new Gauge({
    name: "stripe_inbox_runs",
    help: "Handler runs still to do (pending, running, failed waiting for a retry) and dead-lettered, from the database.",
    labelNames: ["status"] as const,
    registers,
  });
  const oldestPending = new Gauge({
    name: "stripe_inbox_oldest_pending_age_seconds",
    help: "Age of the oldest event that still has work to do (0 when none), from the database.",
    registers,
  });
  const storeUp = new Gauge({
    name: "stripe_inbox_store_scrape_ok",
    help: "1 when the database answered the scrape's queue query in time, else 0 (the queue gauges are then absent).",
    registers,
  });

  const storage = storageGauges(registers);

  // Bound once: the hot path then skips hashing the label set on every delivery.
  const acked = {
    stored: deliveries.labels({ outcome: "stored", reason: "" }),
    duplicate: deliveries.labels({ outcome: "duplicate", reason: "" }),
  };
  let readQueue: (() => Promise<QueueState>) | null = null;
  let lastQueue: QueueState | null = null;
  const timeoutMs = options.scrapeTimeoutMs ?? DEFAULT_SCRAPE_TIMEOUT_MS;
  const queueGauges = [eventsAwaitingFanOut, runsByStatus, oldestPending];

  const refreshQueue = async () => {
    if (!readQueue) return null;
    try {
      const state = await withTimeout(readQueue(), timeoutMs, "the queue query");
      eventsAwaitingFanOut.set(state.eventsAwaitingFanOut);
      for (const [status, count] of Object.entries(state.runs)) runsByStatus.set({ status }, count);
      oldestPending.set(state.oldestPendingSeconds);
      storeUp.set(1);
      lastQueue = state;
    } catch {
      // Absent beats stale: a dashboard must not show the last known depth as if it were current.
      for (const gauge of queueGauges) gauge.reset();
      storeUp.set(0);
      lastQueue = null;
    }
    return lastQueue;
  };

  return {
    registry,
    deliveryAnswered(outcome, reason, seconds) {
      if (outcome === "stored" || outcome === "duplicate") {
        acked[outcome].inc();
        ackLatency.observe(seconds);
      } else deliveries.inc({ outcome, reason: reason ?? "" });
    },
    batchCommitted: (size) => batchSizes.observe(size),
    httpRefused: (reason) => refused.inc({ reason }),
    runFinished(outcome, handler) {
      runs.inc({ handler, outcome });
      if (outcome === "failed") retries.inc({ handler });
    },
    handlerTimed: (handler, result, seconds) => handlerDuration.observe({ handler, result }, seconds),
    readQueueFrom(read) {
      readQueue = read;
    },
    readStorageFrom: storage.readFrom,
    async scrape() {
      await Promise.all([refreshQueue(), storage.refresh(timeoutMs)]);
      return registry.metrics();
    },
    queueState: refreshQueue,
    async totals() {
      const [delivered, finished, latency] = await Promise.all([deliveries.get(), runs.get(), ackLatency.get()]);
      return {
        deliveries: delivered.values.map(({ labels, value }) => ({
          outcome: String(labels.outcome),
          reason: String(labels.reason ?? ""),
          count: value,
        })),
        handlerFailures: finished.values
          .filter(({ labels }) => labels.outcome === "failed" || labels.outcome === "dead")
          .reduce((sum, { value }) => sum + value, 0),
        ackBuckets: latency.values
          .filter((sample) => sample.metricName === "stripe_inbox_ack_latency_seconds_bucket")
          .map(({ labels, value }) => ({
            le: labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(labels.le),
            count: value,
          })),
      };
    },
  };
}
