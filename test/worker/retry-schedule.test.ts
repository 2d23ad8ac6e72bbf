import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RetryPolicy, retryDelayMs } from "../../src/worker/retry.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";

const POLL_MS = 20;
// 1 min, 2 min, then 4 min capped at 3 min: the cap is part of the schedule under test.
const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 60_000, maxDelayMs: 180_000 };

interface RunRow {
  status: string;
  attempts: number;
  run_at: Date;
  finished_at: Date | null;
  last_error: string | null;
  last_error_stack: string | null;
}

describe("retryDelayMs", () => {
  it("doubles from the base delay, caps at the maximum, and jitters within [half, full]", () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(POLICY, attempt, low))).toEqual([30_000, 60_000, 90_000, 90_000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(POLICY, attempt, high))).toEqual([
      60_000, 120_000, 180_000, 180_000,
    ]);
  });
});

describe.each(ENGINES)("a failing handler on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
  });

  it("retries on its schedule by the inbox's clock, then is dead-lettered; its sibling ran once", async () => {
    db = await openWorkerTestDb(engine);
    let clock = new Date("2026-03-01T12:00:00.000Z");
    const attemptsSeenAt: Date[] = [];
    let siblingRuns = 0;
    inbox = createInbox({ secret: SECRET, ...db.config, clock: () => clock, workers: { pollMs: POLL_MS } });
    inbox.on(
      "customer.created",
      async function refuseCustomer(_event, ctx) {
        attemptsSeenAt.push(clock);
        throw new Error(`CRM unreachable on attempt ${ctx.attempt}`);
      },
      { name: "sync-crm", retry: POLICY },
    );
    inbox.on(
      "customer.created",
      async () => {
        siblingRuns++;
      },
      { name: "welcome-email" },
    );
    await inbox.start();
    const store = await inbox.store();
    const runOf = async (handler: string) => {
      const [row] = await store.query<RunRow>(
        `SELECT status, attempts, run_at, finished_at, last_error, last_error_stack
           FROM "${db?.config.schema}".handler_runs WHERE handler = $1`,
        [handler],
      );
      return row;
    };
    const waitFor = (attempts: number, status: string) =>
      expect
        .poll(async () => ((row) => row && `${row.status}/${row.attempts}`)(await runOf("sync-crm")), {
          timeout: 10_000,
          interval: POLL_MS,
        })
        .toBe(`${status}/${attempts}`);

    await deliver(inbox, eventBody(), Math.floor(clock.getTime() / 1000));
    const delays: number[] = [];
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      await waitFor(attempt, "failed");
      const row = await runOf("sync-crm");
      if (!row?.finished_at) throw new Error("a failed run records when it finished");
      const delay = new Date(row.run_at).getTime() - new Date(row.finished_at).getTime();
      delays.push(delay);
      const exponential = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(exponential / 2);
      expect(delay).toBeLessThanOrEqual(exponential);
      expect(row.last_error).toBe(`CRM unreachable on attempt ${attempt}`);

      // A millisecond early, the run is not due: several polls go by without a new attempt.
      clock = new Date(new Date(row.run_at).getTime() - 1);
      await sleep(POLL_MS * 8);
      expect(await runOf("sync-crm")).toMatchObject({ status: "failed", attempts: attempt });
      clock = new Date(row.run_at);
    }
    await waitFor(POLICY.maxAttempts, "dead");
    const dead = await runOf("sync-crm");
    expect(dead?.last_error).toBe(`CRM unreachable on attempt ${POLICY.maxAttempts}`);
    expect(dead?.last_error_stack).toMatch(/^Error: CRM unreachable on attempt 4\n\s+at .*refuseCustomer/);
    // Dead means no more attempts, however far the clock moves.
    clock = new Date(clock.getTime() + 30 * 86_400_000);
    await sleep(POLL_MS * 8);
    expect(await runOf("sync-crm")).toMatchObject({ status: "dead", attempts: POLICY.maxAttempts });
    expect(attemptsSeenAt).toHaveLength(POLICY.maxAttempts);

    expect(siblingRuns).toBe(1);
    expect(await runOf("welcome-email")).toMatchObject({ status: "succeeded", attempts: 1, last_error: null });
    console.log(
      `[retry-schedule ${engine}] delays after attempts 1-3: ${delays.map((d) => `${d / 1000}s`).join(", ")}`,
    );
  });
});
