import type { DeliveryAttempt } from "./record-deliveries.js";

/**
 * How many rejected attempts get a delivery row of their own. Past these, in the same window, they are counted in
 * one summary row per reason and source, so a flood of forged or broken requests grows the log by a few rows a
 * minute instead of one per request.
 */
export interface RejectionLimits {
  windowMs: number;
  /** Rows of their own per reason and source address in a window. */
  rowsPerSource: number;
  /** Rows of their own in a window, all reasons and sources together. */
  rowsPerWindow: number;
  /** Summary rows per reason in a window; further sources are counted in one row without a source address. */
  sourcesPerWindow: number;
}

export const DEFAULT_REJECTION_LIMITS: RejectionLimits = {
  windowMs: 60_000,
  rowsPerSource: 10,
  rowsPerWindow: 100,
  sourcesPerWindow: 100,
};

/**
 * `row`: recorded on its own; `first_counted`: the first one counted in its window's summary (worth a log line);
 * `counted`: counted like the ones before it.
 */
export type RejectionRecording = "row" | "first_counted" | "counted";

interface Summary {
  code: string;
  message: string;
  sourceAddress: string | null;
  attempts: number;
  bodyBytes: number;
  first: Date;
  last: Date;
  written: Promise<void>;
  settle(error?: unknown): void;
}

interface Window {
  start: number;
  rows: number;
  rowsByKey: Map<string, number>;
  summaries: Map<string, Summary>;
}

/** A summary row to record, and how to tell whoever waits for it that it was written (or not). */
export interface DueSummary {
  attempt: DeliveryAttempt & { attempts: number; lastReceivedAt: Date };
  settle(error?: unknown): void;
}

export interface Admission {
  recording: RejectionRecording;
  /** For the first one counted: settles once its summary row is written, with the error if it could not be. */
  written?: Promise<void>;
}

/** Decides, for each rejected attempt, a row of its own or a count in its window's summary row. */
export class RejectionTally {
  private window: Window | null = null;
  private ended: Summary[] = [];

  constructor(private readonly limits: RejectionLimits = DEFAULT_REJECTION_LIMITS) {}

  admit(attempt: DeliveryAttempt): Admission {
    const at = attempt.receivedAt.getTime();
    const window = this.windowAt(at);
    const code = attempt.rejection?.code ?? "unknown";
    const key = `${code} ${attempt.sourceAddress ?? ""}`;
    const rows = window.rowsByKey.get(key) ?? 0;
    if (rows < this.limits.rowsPerSource && window.rows < this.limits.rowsPerWindow) {
      window.rowsByKey.set(key, rows + 1);
      window.rows++;
      return { recording: "row" };
    }
    // Sources beyond the limit share one summary per reason: their number must not decide how many rows we write.
    const perSource = window.summaries.has(key) || window.summaries.size < this.limits.sourcesPerWindow;
    const summaryKey = perSource ? key : `${code} *`;
    const summary = window.summaries.get(summaryKey);
    if (summary) {
      summary.attempts++;
      summary.bodyBytes += attempt.bodyBytes;
      summary.last = attempt.receivedAt;
      return { recording: "counted" };
    }
    let settle: (error?: unknown) => void = () => {};
    const written = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Handled here too: a caller that ignores the outcome must not leave an unhandled rejection behind.
    written.catch(() => {});
    window.summaries.set(summaryKey, {
      code,
      message: attempt.rejection?.message ?? "",
      sourceAddress: perSource ? attempt.sourceAddress : null,
      attempts: 1,
      bodyBytes: attempt.bodyBytes,
      first: attempt.receivedAt,
      last: attempt.receivedAt,
      written,
      settle,
    });
    return { recording: "first_counted", written };
  }

  /** Takes the summaries of the windows that ended by `now`, or of every window with `everything`. */
  take(now: number, everything = false): DueSummary[] {
    if (this.window && (everything || now >= this.window.start + this.limits.windowMs)) this.endWindow();
    const ended = this.ended;
    this.ended = [];
    return ended.map((summary) => ({
      attempt: {
        receivedAt: summary.first,
        lastReceivedAt: summary.last,
        attempts: summary.attempts,
        bodyBytes: summary.bodyBytes,
        sourceAddress: summary.sourceAddress,
        signatureTimestamp: null,
        event: null,
        rejection: { code: summary.code, message: summary.message },
      },
      settle: summary.settle,
    }));
  }

  /** When the summaries counted so far are due (the end of their window), or null when none are waiting. */
  dueAt(): number | null {
    if (this.ended.length > 0) return 0;
    return this.window && this.window.summaries.size > 0 ? this.window.start + this.limits.windowMs : null;
  }

  private windowAt(at: number): Window {
    // Attempts arrive in about the order received; a late one is counted in the current window.
    if (this.window && at >= this.window.start + this.limits.windowMs) this.endWindow();
    this.window ??= {
      start: at - (at % this.limits.windowMs),
      rows: 0,
      rowsByKey: new Map(),
      summaries: new Map(),
    };
    return this.window;
  }

  private endWindow(): void {
    if (this.window) this.ended.push(...this.window.summaries.values());
    this.window = null;
  }
}
