import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/errors.js";
import { migrate } from "../../src/store/migrate.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { createRunCompleter, type FinishedRun } from "../../src/worker/complete-runs.js";
import { type BatchWriter, STATEMENT_WRITER } from "../../src/worker/deferred-writes.js";
import { runQueries } from "../../src/worker/run-queries.js";
import { openTestStore, POSTGRES_URL, type TestStore } from "../support/stores.js";

const WORKER = "worker-under-test";
/** The events' created, the runs' partition key: completions name it. */
const CREATED = "2026-01-01T00:00:00.000Z";
const silent = pino({ level: "silent" });

describe("the completer of runs with deferred writes (postgres)", () => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  const open = async () => {
    db = await openTestStore("postgres");
    await migrate(db.store);
    await db.store.query(`CREATE TABLE "${db.config.schema}".counter (n integer NOT NULL)`);
    await db.store.query(`INSERT INTO "${db.config.schema}".counter VALUES (0)`);
  };
  /** A stored event with one run, claimed by WORKER at `attempts`. */
  const claimedRun = async (eventId: string, attempts: number) => {
    const schema = `"${db.config.schema}"`;
    await db.store.query(
      `INSERT INTO ${schema}.events (id, type, object, created, livemode, payload, received_at, status)
       VALUES ($1, 'customer.updated', 'event', $2, false, '{}', now(), 'dispatched')`,
      [eventId, CREATED],
    );
    await db.store.query(
      `INSERT INTO ${schema}.handler_runs
         (event_id, handler, status, attempts, max_attempts, run_at, locked_by, locked_until, event_created)
       VALUES ($1, 'h', 'running', $2, 10, now(), $3, now() + interval '5 minutes', $4)`,
      [eventId, attempts, WORKER, CREATED],
    );
  };
  const bump = (eventId: string, attempts: number): FinishedRun => ({
    eventId,
    handler: "h",
    eventCreated: CREATED,
    attempts,
    writes: [
      {
        writer: STATEMENT_WRITER as BatchWriter<unknown>,
        item: [{ sql: `UPDATE "${db.config.schema}".counter SET n = n + 1`, params: [], options: {} }],
      },
    ],
  });
  const counter = async () =>
    (await db.store.query<{ n: number }>(`SELECT n FROM "${db.config.schema}".counter`))[0]?.n;

  it("applies only the current attempt's writes when two attempts of one run share a batch", async () => {
    await open();
    // The worker took its own expired claim back: the run is at attempt 2, and attempt 1's handler finished late.
    await claimedRun("evt_twice", 2);
    await claimedRun("evt_filler_1", 1);
    await claimedRun("evt_filler_2", 1);
    const completer = createRunCompleter(db.store, runQueries(db.config.schema), WORKER, () => new Date(), silent);
    // Two batches in flight hold both slots, so both attempts queue behind them and commit together.
    const fillers = [bump("evt_filler_1", 1), bump("evt_filler_2", 1)].map((run) => completer.submit(run));
    const results = await Promise.all([completer.submit(bump("evt_twice", 1)), completer.submit(bump("evt_twice", 2))]);
    expect(await Promise.all(fillers)).toEqual([true, true]);
    expect(results).toEqual([false, true]);
    expect(await counter()).toBe(3);
  });

  it("says the store is unavailable, not that a run failed, when the database cannot be reached", async () => {
    await open();
    await claimedRun("evt_a", 1);
    await claimedRun("evt_b", 1);
    // A store on a port nothing listens on: every statement fails to connect.
    const unreachable = openPostgresStore({
      connectionString: POSTGRES_URL.replace(":5432", ":1"),
      schema: db.config.schema,
    });
    try {
      const completer = createRunCompleter(unreachable, runQueries(db.config.schema), WORKER, () => new Date(), silent);
      const results = await Promise.allSettled([
        completer.submit(bump("evt_a", 1)),
        completer.submit(bump("evt_b", 1)),
      ]);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      }
    } finally {
      await unreachable.close();
    }
    expect(await counter()).toBe(0);
  });

  it("commits a run again at once when its write lost a deadlock, up to 3 times, and only that run fails after", async () => {
    await open();
    for (const eventId of ["evt_twice", "evt_always", "evt_other", "evt_filler_1", "evt_filler_2"]) {
      await claimedRun(eventId, 1);
    }
    const completer = createRunCompleter(db.store, runQueries(db.config.schema), WORKER, () => new Date(), silent);
    // Calls that fail as Postgres reports a lost deadlock: evt_twice's first two, every one of evt_always's.
    const deadlocks = new Map<string, number>([
      ["evt_twice", 2],
      ["evt_always", Number.POSITIVE_INFINITY],
    ]);
    const calls = new Map<string, number>();
    const deadlocking: BatchWriter<string> = {
      name: "deadlocks",
      async write(tx, eventIds) {
        for (const eventId of eventIds) calls.set(eventId, (calls.get(eventId) ?? 0) + 1);
        const losing = eventIds.find((eventId) => (deadlocks.get(eventId) ?? 0) > 0);
        if (losing !== undefined) {
          deadlocks.set(losing, (deadlocks.get(losing) ?? 0) - 1);
          throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
        }
        for (const _ of eventIds) await tx.query(`UPDATE "${db.config.schema}".counter SET n = n + 1`);
        return undefined;
      },
    };
    const run = (eventId: string): FinishedRun => ({
      eventId,
      handler: "h",
      eventCreated: CREATED,
      attempts: 1,
      writes: [{ writer: deadlocking as BatchWriter<unknown>, item: eventId }],
    });
    // Two batches in flight hold both slots, so the three runs queue behind them and share the next batch.
    const fillers = [bump("evt_filler_1", 1), bump("evt_filler_2", 1)].map((filler) => completer.submit(filler));
    const results = await Promise.allSettled(
      ["evt_twice", "evt_always", "evt_other"].map((eventId) => completer.submit(run(eventId))),
    );
    expect(await Promise.all(fillers)).toEqual([true, true]);
    expect(results[0]).toEqual({ status: "fulfilled", value: true });
    expect(results[1]?.status).toBe("rejected");
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "40P01" });
    expect(results[2]).toEqual({ status: "fulfilled", value: true });
    // The batch, then alone: evt_twice's second try alone succeeds; evt_always is tried 3 times alone.
    expect(calls.get("evt_twice")).toBe(3);
    expect(calls.get("evt_always")).toBe(4);
    expect(await counter()).toBe(4);
  });

  it("fails only the run whose own write fails, and names that write's error", async () => {
    await open();
    await claimedRun("evt_good", 1);
    await claimedRun("evt_bad", 1);
    await claimedRun("evt_filler_1", 1);
    await claimedRun("evt_filler_2", 1);
    const completer = createRunCompleter(db.store, runQueries(db.config.schema), WORKER, () => new Date(), silent);
    const bad: FinishedRun = {
      ...bump("evt_bad", 1),
      writes: [
        {
          writer: STATEMENT_WRITER as BatchWriter<unknown>,
          item: [{ sql: `INSERT INTO "${db.config.schema}".counter VALUES (NULL)`, params: [], options: {} }],
        },
      ],
    };
    const fillers = [bump("evt_filler_1", 1), bump("evt_filler_2", 1)].map((run) => completer.submit(run));
    const results = await Promise.allSettled([completer.submit(bump("evt_good", 1)), completer.submit(bad)]);
    await Promise.all(fillers);
    expect(results[0]).toEqual({ status: "fulfilled", value: true });
    expect(results[1]?.status).toBe("rejected");
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/null value/);
    expect((results[1] as PromiseRejectedResult).reason).not.toBeInstanceOf(StoreUnavailableError);
    expect(await counter()).toBe(3);
  });
});
