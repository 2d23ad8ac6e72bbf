import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { claimableHandlers } from "../../src/worker/claimable-handlers.js";
import type { RecordedRun, RunOutcome } from "../../src/worker/execute-run.js";

/** A store that only answers the breaker's pause insert, and remembers which handlers it paused. */
const pauseRecordingStore = () => {
  const paused: string[] = [];
  const store = {
    schema: "inbox",
    async query(sql: string, params: unknown[] = []) {
      if (!sql.includes("handler_pauses")) return [];
      const [handler, pausedAt, pausedBy, reason, consecutiveFailures] = params as [
        string,
        string,
        string,
        string,
        number,
      ];
      paused.push(handler);
      return [{ handler, pausedAt: new Date(pausedAt), pausedBy, reason, consecutiveFailures }];
    },
  } as unknown as Store;
  return { store, paused };
};

/** A run whose handler has returned and whose outcome is recorded when the test says so. */
const returnedRun = () => {
  let record: (run: RecordedRun) => void = () => undefined;
  const recorded = new Promise<RecordedRun>((resolve) => {
    record = resolve;
  });
  return { recorded, record: (outcome: RunOutcome, byStore = false) => record({ outcome, byStore }) };
};

const ledgerBreaker = (store: Store, pauseAfterFailures: number) =>
  claimableHandlers({ store, registered: () => ["ledger"], log: pino({ level: "silent" }), pauseAfterFailures });

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("the circuit breaker", () => {
  it("counts outcomes in the order the handlers returned, not the order they were recorded in", async () => {
    const { store, paused } = pauseRecordingStore();
    const handlers = ledgerBreaker(store, 3);
    // Returned: fail, fail, success, fail, fail. The success (a batched write) is recorded after the two failures.
    const runs = Array.from({ length: 6 }, returnedRun);
    runs.forEach((run, i) => void handlers.runReturned("ledger", `evt_${i + 1}`, run.recorded));
    runs[0]?.record("dead");
    runs[1]?.record("dead");
    runs[3]?.record("dead");
    runs[4]?.record("dead");
    await settle();
    runs[2]?.record("succeeded");
    await settle();
    expect(paused).toEqual([]);
    expect(handlers.names).toEqual(["ledger"]);

    // Two failures since the success: a third in a row pauses the handler.
    runs[5]?.record("failed");
    await settle();
    expect(paused).toEqual(["ledger"]);
    expect(handlers.names).toEqual([]);
  });

  it("does not count a run whose database connection failed", async () => {
    const { store, paused } = pauseRecordingStore();
    const handlers = ledgerBreaker(store, 2);
    const runs = Array.from({ length: 3 }, returnedRun);
    runs.forEach((run, i) => void handlers.runReturned("ledger", `evt_${i + 1}`, run.recorded));
    runs[0]?.record("failed");
    runs[1]?.record("failed", true);
    await settle();
    expect(paused).toEqual([]);
    runs[2]?.record("dead");
    await settle();
    expect(paused).toEqual(["ledger"]);
  });
});
