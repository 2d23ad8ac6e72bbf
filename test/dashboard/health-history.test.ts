import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type HealthHistory, type HealthSample, startHealthHistory } from "../../src/dashboard/health-history.js";
import type { InboxMetrics, MetricTotals } from "../../src/metrics/inbox-metrics.js";

const totals: MetricTotals = {
  deliveries: [],
  handlerFailures: 0,
  ackBuckets: [{ le: Number.POSITIVE_INFINITY, count: 0 }],
};

/** Metrics whose totals the test controls; the history only reads totals() and queueState(). */
function fakeMetrics(readTotals: () => Promise<MetricTotals>): InboxMetrics {
  return { totals: readTotals, queueState: async () => null } as unknown as InboxMetrics;
}

/** A logger that records what it was asked to log at warn and error. */
function recordingLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe("the health history", () => {
  let history: HealthHistory | undefined;
  afterEach(() => history?.stop());

  it("gives every listener its sample when one listener throws, and logs the error", async () => {
    const { log, lines } = recordingLog();
    history = startHealthHistory(
      fakeMetrics(async () => totals),
      { intervalMs: 20, log },
    );
    const received: HealthSample[] = [];
    history.onSample(() => {
      throw new Error("listener broke");
    });
    history.onSample((sample) => received.push(sample));
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    expect(lines.some((line) => line.msg === "a health sample's listener threw")).toBe(true);
  });

  it("logs a sample it could not take and goes on sampling, with no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { log, lines } = recordingLog();
      let calls = 0;
      history = startHealthHistory(
        fakeMetrics(async () => {
          calls++;
          if (calls % 2 === 1) throw new Error("totals unavailable");
          return totals;
        }),
        { intervalMs: 20, log },
      );
      await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
      expect(lines.filter((line) => line.msg === "could not take a health sample").length).toBeGreaterThanOrEqual(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
