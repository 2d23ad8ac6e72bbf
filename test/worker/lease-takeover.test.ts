import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES, openTestStore, type TestStore } from "../support/stores.js";
import { deliver } from "../support/workers.js";

/** A promise the test resolves by hand, to hold a handler inside its run. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(ENGINES)("runs that never query (%s)", (engine) => {
  let db: TestStore;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db.cleanup();
  });

  it("hold no transaction while they run, so they overlap even on a one-connection engine", async () => {
    db = await openTestStore(engine);
    await db.store.close();
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { concurrency: 2, pollMs: 50 } });
    // Each run waits until both have started: with a transaction held per run on PGlite, the second never would.
    const bothStarted = gate();
    let started = 0;
    inbox.on(
      "customer.created",
      async () => {
        if (++started === 2) bothStarted.open();
        await bothStarted.opened;
      },
      { name: "wait-for-both" },
    );
    await inbox.start();
    await deliver(inbox, eventBody());
    await deliver(inbox, eventBody());
    const store = await inbox.store();
    await expect
      .poll(
        async () =>
          (
            await store.query<{ done: number }>(
              `SELECT count(*)::int AS done FROM "${db.config.schema}".handler_runs WHERE status = 'succeeded'`,
            )
          )[0]?.done,
        { timeout: 10_000 },
      )
      .toBe(2);
  });
});

// Two worker processes' worth of inboxes on one schema: PGlite's data directory belongs to one process.
describe("a run whose lease expired while its handler ran (postgres)", () => {
  let db: TestStore;
  const inboxes: Inbox[] = [];
  afterEach(async () => {
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.stop(0)));
    await db.cleanup();
  });

  // One slot each: the first worker's held handler keeps it from claiming the run again itself.
  const open = (leaseMs: number) => {
    const inbox = createInbox({ secret: SECRET, ...db.config, workers: { leaseMs, pollMs: 50, concurrency: 1 } });
    inboxes.push(inbox);
    return inbox;
  };
  const runRow = async (inbox: Inbox) => {
    const store = await inbox.store();
    const [row] = await store.query<{ status: string; attempts: number; last_error: string | null }>(
      `SELECT status, attempts, last_error FROM "${db.config.schema}".handler_runs`,
    );
    return row;
  };

  it("belongs to the worker that took it over: the first worker's late success is not recorded", async () => {
    db = await openTestStore("postgres");
    await db.store.close();
    const slow = open(300);
    const held = gate();
    let slowStarted = false;
    slow.on(
      "customer.created",
      async () => {
        slowStarted = true;
        await held.opened;
      },
      { name: "notify" },
    );
    await slow.start();
    await deliver(slow, eventBody());
    await expect.poll(() => slowStarted).toBe(true);

    // The second worker takes the run over once the lease is past, and its attempt fails.
    const second = open(60_000);
    second.on(
      "customer.created",
      async (_event, ctx) => {
        throw new Error(`attempt ${ctx.attempt} failed`);
      },
      { name: "notify", retry: { baseDelayMs: 60_000 } },
    );
    await second.start();
    await expect.poll(async () => (await runRow(second))?.status, { timeout: 10_000 }).toBe("failed");

    // Now the first handler returns successfully; stop() waits until its outcome is recorded (or refused).
    held.open();
    await slow.stop();
    expect(await runRow(second)).toEqual({ status: "failed", attempts: 2, last_error: "attempt 2 failed" });
  });

  it("cannot write through its transaction once taken over, and only the new owner's write commits", async () => {
    db = await openTestStore("postgres");
    const table = `"${db.config.schema}".shipments`;
    await db.store.query(`CREATE SCHEMA IF NOT EXISTS "${db.config.schema}"`);
    await db.store.query(`CREATE TABLE ${table} (attempt int)`);
    await db.store.close();
    const write = async (
      _event: unknown,
      ctx: { attempt: number; sql: (sql: string, params: unknown[]) => Promise<unknown> },
    ) => {
      await ctx.sql(`INSERT INTO ${table} VALUES ($1)`, [ctx.attempt]);
    };

    const slow = open(300);
    const held = gate();
    let lateWrite: unknown = "not attempted";
    slow.on(
      "customer.created",
      async (event, ctx) => {
        await held.opened;
        lateWrite = await write(event, ctx).then(
          () => "written",
          (error: unknown) => error,
        );
      },
      { name: "ship" },
    );
    await slow.start();
    await deliver(slow, eventBody());

    const second = open(60_000);
    second.on("customer.created", write, { name: "ship" });
    await second.start();
    await expect.poll(async () => (await runRow(second))?.status, { timeout: 10_000 }).toBe("succeeded");

    held.open();
    await slow.stop();
    expect(lateWrite).toBeInstanceOf(Error);
    expect(String(lateWrite)).toMatch(/expired and was taken over/);
    const store = await second.store();
    expect(await store.query(`SELECT attempt FROM ${table}`)).toEqual([{ attempt: 2 }]);
    expect(await runRow(second)).toMatchObject({ status: "succeeded", attempts: 2 });
  });
});
