import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox, type WorkerSettings } from "../../src/create-inbox.js";
import type { Store } from "../../src/store/store.js";
import type { BatchWriter } from "../../src/worker/deferred-writes.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES, type Engine } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

/** A promise the test resolves by hand, to hold handlers inside their runs. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A customer.created delivery whose event id the test knows. */
function newEvent() {
  const body = eventBody();
  return { id: (JSON.parse(body) as { id: string }).id, body };
}

const POLL = { timeout: 15_000, interval: 20 };
// Quick retries, so that a retried run's second attempt comes within the test.
const QUICK_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
// A negative amount breaks the table's CHECK: how a test makes one run's deferred write fail.
const VIOLATES_CHECK = -1;

interface RunRow {
  event_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/** Reads what the handlers wrote and how their runs ended, through `store`. */
function readers(store: Store, schema: string) {
  const runs = () =>
    store.query<RunRow>(`SELECT event_id, status, attempts, last_error FROM ${schema}.handler_runs ORDER BY event_id`);
  return {
    runs,
    /** The rows of `table` (`shipments` by default), sorted, as `event_id/attempt`. */
    async written(table = `${schema}.shipments`) {
      const rows = await store.query<{ event_id: string; attempt: number }>(`SELECT event_id, attempt FROM ${table}`);
      return rows.map((row) => `${row.event_id}/${row.attempt}`).sort();
    },
    /** Waits until all `count` runs have succeeded or are dead, and returns them. */
    async settledRuns(count: number) {
      const settled = async () =>
        (await runs()).filter((run) => run.status === "succeeded" || run.status === "dead").length;
      await expect.poll(settled, POLL).toBe(count);
      return runs();
    },
  };
}

/** An inbox on a fresh database, with a `shipments` table (`amount` must not be negative) for handlers to write to. */
async function openInbox(engine: Engine, workers: WorkerSettings = {}) {
  const db = await openWorkerTestDb(engine);
  const inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 20, ...workers } });
  const store = await inbox.store();
  const schema = `"${db.config.schema}"`;
  const shipments = `${schema}.shipments`;
  await store.query(
    `CREATE TABLE ${shipments} (event_id text NOT NULL, attempt int NOT NULL, amount int NOT NULL CHECK (amount >= 0))`,
  );
  return {
    db,
    inbox,
    schema,
    shipments,
    insertShipment: `INSERT INTO ${shipments} (event_id, attempt, amount) VALUES ($1, $2, $3) RETURNING event_id, attempt`,
    ...readers(store, schema),
  };
}

describe.each(ENGINES)("ctx.defer on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
    inbox = undefined;
    db = undefined;
  });
  const open = async (workers: WorkerSettings = {}) => {
    const opened = await openInbox(engine, workers);
    db = opened.db;
    inbox = opened.inbox;
    return opened;
  };

  it("commits a deferred statement with the run's success, once; a failed attempt's statement is dropped", async () => {
    const setup = await open();
    const flaky = newEvent();
    const steady = newEvent();
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        ctx.defer(setup.insertShipment, [event.id, ctx.attempt, 1]);
        if (event.id === flaky.id && ctx.attempt === 1) throw new Error("failed after deferring");
      },
      { name: "record", retry: QUICK_RETRY },
    );
    await setup.inbox.start();
    await deliver(setup.inbox, flaky.body);
    await deliver(setup.inbox, steady.body);

    const runs = await setup.settledRuns(2);
    expect(runs.map((run) => run.status)).toEqual(["succeeded", "succeeded"]);
    // The first attempt's row went with its failure: only the retry's is there.
    expect(await setup.written()).toEqual([`${flaky.id}/2`, `${steady.id}/1`].sort());
    expect(runs.find((run) => run.event_id === flaky.id)).toMatchObject({
      attempts: 2,
      last_error: "failed after deferring",
    });
  });

  it("hands a BatchWriter the items of many runs at once, each item once", async () => {
    const setup = await open({ concurrency: 64 });
    const events = Array.from({ length: 50 }, newEvent);
    const held = gate();
    let started = 0;
    const callSizes: number[] = [];
    const itemsWritten: string[] = [];
    const recordBatch: BatchWriter<string> = {
      name: "record-batch",
      async write(_tx, items) {
        callSizes.push(items.length);
        return () => itemsWritten.push(...items);
      },
    };
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        ctx.defer(recordBatch, event.id);
        // All runs return together, so that their successes queue behind one commit.
        if (++started === events.length) held.open();
        await held.opened;
      },
      { name: "record" },
    );
    // Delivered before the workers start, so that one claim takes every run: the gate needs them all at once.
    for (const event of events) await deliver(setup.inbox, event.body);
    await setup.inbox.start();

    await setup.settledRuns(events.length);
    expect(Math.max(...callSizes)).toBeGreaterThan(1);
    expect(itemsWritten.sort()).toEqual(events.map((event) => event.id).sort());
  });

  it("fails only the run whose deferred write fails, with its error recorded, when it shared a batch", async () => {
    const setup = await open({ concurrency: 64 });
    const events = Array.from({ length: 20 }, newEvent);
    const bad = events[7] as { id: string; body: string };
    const held = gate();
    let started = 0;
    // Named to run before the statements, so it sees every batch those statements are part of.
    const batchesSeen: string[][] = [];
    const seeBatch: BatchWriter<string> = {
      name: "a-see-batch",
      async write(_tx, items) {
        batchesSeen.push([...items]);
        return undefined;
      },
    };
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        ctx.defer(seeBatch, event.id);
        ctx.defer(setup.insertShipment, [event.id, ctx.attempt, event.id === bad.id ? VIOLATES_CHECK : 1]);
        if (++started === events.length) held.open();
        await held.opened;
      },
      { name: "record", retry: { maxAttempts: 1 } },
    );
    // Delivered before the workers start, so that one claim takes every run: the gate needs them all at once.
    for (const event of events) await deliver(setup.inbox, event.body);
    await setup.inbox.start();

    const runs = await setup.settledRuns(events.length);
    expect(batchesSeen.some((batch) => batch.includes(bad.id) && batch.length > 1)).toBe(true);
    const good = events.filter((event) => event !== bad);
    expect(runs.filter((run) => run.status === "succeeded").map((run) => run.event_id)).toEqual(
      good.map((event) => event.id).sort(),
    );
    expect(runs.find((run) => run.event_id === bad.id)).toMatchObject({ status: "dead", attempts: 1 });
    expect(runs.find((run) => run.event_id === bad.id)?.last_error).toMatch(/violates check constraint/);
    expect(await setup.written()).toEqual(good.map((event) => `${event.id}/1`).sort());
  });

  it("calls onRows with the statement's rows after the commit, and never for a write that rolled back", async () => {
    const setup = await open({ concurrency: 64 });
    const events = Array.from({ length: 10 }, newEvent);
    const bad = events[3] as { id: string; body: string };
    const held = gate();
    let started = 0;
    const rowsSeen: Record<string, unknown>[] = [];
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        // Its own statement succeeds, but the bad run's second one rolls it back with the rest of the run.
        ctx.defer(setup.insertShipment, [event.id, ctx.attempt, 1], { onRows: (rows) => rowsSeen.push(...rows) });
        if (event.id === bad.id) ctx.defer(setup.insertShipment, [event.id, ctx.attempt, VIOLATES_CHECK]);
        if (++started === events.length) held.open();
        await held.opened;
      },
      { name: "record", retry: { maxAttempts: 1 } },
    );
    // Delivered before the workers start, so that one claim takes every run: the gate needs them all at once.
    for (const event of events) await deliver(setup.inbox, event.body);
    await setup.inbox.start();

    await setup.settledRuns(events.length);
    // Once per committed run: not for the batch that rolled back first, nor for the bad run's own first statement.
    const good = events.filter((event) => event !== bad);
    expect(rowsSeen.map((row) => row.event_id).sort()).toEqual(good.map((event) => event.id).sort());
    expect(rowsSeen.every((row) => row.attempt === 1)).toBe(true);
    expect(await setup.written()).toEqual(good.map((event) => `${event.id}/1`).sort());
  });

  it("commits a handler's ctx.tx writes and its deferred ones together, or neither", async () => {
    const setup = await open();
    const throughTx = `${setup.shipments}_through_tx`;
    const store = await setup.inbox.store();
    await store.query(`CREATE TABLE ${throughTx} (event_id text NOT NULL, attempt int NOT NULL)`);
    const good = newEvent();
    const bad = newEvent();
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        await ctx.sql(`INSERT INTO ${throughTx} VALUES ($1, $2)`, [event.id, ctx.attempt]);
        ctx.defer(setup.insertShipment, [event.id, ctx.attempt, event.id === bad.id ? VIOLATES_CHECK : 1]);
      },
      { name: "record", retry: { maxAttempts: 1 } },
    );
    await setup.inbox.start();
    await deliver(setup.inbox, good.body);
    await deliver(setup.inbox, bad.body);

    const runs = await setup.settledRuns(2);
    expect(runs.find((run) => run.event_id === good.id)?.status).toBe("succeeded");
    expect(runs.find((run) => run.event_id === bad.id)?.status).toBe("dead");
    // The bad run's deferred write failed, so its write through ctx.tx rolled back with it.
    expect(await setup.written(throughTx)).toEqual([`${good.id}/1`]);
    expect(await setup.written()).toEqual([`${good.id}/1`]);
  });

  it("refuses ctx.defer once the handler has returned, and writes nothing", async () => {
    const setup = await open();
    const event = newEvent();
    let lateDefer: unknown = "not attempted";
    setup.inbox.on(
      "customer.created",
      async (event, ctx) => {
        // Fire-and-forget: the handler does not wait for what it started.
        setTimeout(() => {
          try {
            ctx.defer(setup.insertShipment, [event.id, ctx.attempt, 1]);
            lateDefer = "accepted";
          } catch (error) {
            lateDefer = error;
          }
        }, 0);
      },
      { name: "record" },
    );
    await setup.inbox.start();
    await deliver(setup.inbox, event.body);

    expect((await setup.settledRuns(1))[0]?.status).toBe("succeeded");
    await expect.poll(() => lateDefer, POLL).not.toBe("not attempted");
    expect(lateDefer).toBeInstanceOf(Error);
    expect(String(lateDefer)).toMatch(/ctx\.defer was called after the handler returned/);
    expect(await setup.written()).toEqual([]);
  });
});

// Two worker processes' worth of inboxes on one schema: PGlite's data directory belongs to one process.
describe("ctx.defer in a run whose lease expired while its handler ran (postgres)", () => {
  let db: WorkerTestDb | undefined;
  const inboxes: Inbox[] = [];
  afterEach(async () => {
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.stop(0)));
    await db?.cleanup();
    db = undefined;
  });

  it("is not applied for the first worker: only the new owner's deferred write commits", async () => {
    // One slot each: the first worker's held handler keeps it from claiming the run again itself.
    const setup = await openInbox("postgres", { leaseMs: 300, concurrency: 1 });
    db = setup.db;
    const slow = setup.inbox;
    inboxes.push(slow);
    const record = async (
      event: { id: string },
      ctx: { attempt: number; defer(sql: string, params: unknown[]): void },
    ) => ctx.defer(setup.insertShipment, [event.id, ctx.attempt, 1]);

    const held = gate();
    let slowStarted = false;
    slow.on(
      "customer.created",
      async (event, ctx) => {
        await record(event, ctx);
        slowStarted = true;
        await held.opened;
      },
      { name: "record" },
    );
    await slow.start();
    const event = newEvent();
    await deliver(slow, event.body);
    await expect.poll(() => slowStarted, POLL).toBe(true);

    // The second worker takes the run over once the lease is past, and its attempt succeeds.
    const second = createInbox({ secret: SECRET, ...setup.db.config, workers: { leaseMs: 60_000, pollMs: 20 } });
    inboxes.push(second);
    second.on("customer.created", record, { name: "record" });
    await second.start();
    await expect.poll(async () => (await setup.runs())[0]?.status, POLL).toBe("succeeded");

    // Now the first handler returns successfully; stop() waits until its outcome is recorded (or refused).
    held.open();
    await slow.stop();
    const afterwards = readers(await second.store(), setup.schema);
    expect(await afterwards.written()).toEqual([`${event.id}/2`]);
    expect(await afterwards.runs()).toEqual([
      { event_id: event.id, status: "succeeded", attempts: 2, last_error: null },
    ]);
  });
});
