import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { showEvent } from "../../src/inbox/event-queries.js";
import type { Store } from "../../src/store/store.js";
import { type ReplayFilter, replay } from "../../src/worker/replay.js";
import { eventBody, SECRET } from "../support/events.js";
import { runCli } from "../support/processes.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";

const POLL_MS = 20;
const HOUR = 3_600_000;

/**
 * One replay, said both ways: the CLI's arguments and the library's filter. On Postgres the CLI runs as its own
 * process beside the running inbox; PGlite is one process's at a time, so there the library call (what the
 * admin API uses) goes through the running inbox's store.
 */
interface ReplayStep {
  args: string[];
  filter: ReplayFilter;
  dryRun?: boolean;
  /** Through the library call even on Postgres: the admin API's path. */
  library?: boolean;
}

describe.each(ENGINES)("replay on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
  });

  it("re-runs exactly the selected runs, and runs events that had no handler once one is added", async () => {
    db = await openWorkerTestDb(engine);
    const { config } = db;
    const schema = `"${config.schema}"`;
    const cliStoreArgs = [...(config.database ? [] : ["--data-dir", config.dataDir]), "--schema", config.schema];
    const cliEnv: Record<string, string> = config.database ? { DATABASE_URL: config.database } : {};

    const ran = new Map<string, number>();
    const count = (handler: string, event: { id: string }) => {
      const key = `${handler} ${event.id}`;
      ran.set(key, (ran.get(key) ?? 0) + 1);
    };
    let crmDown = true;
    let warehouseDown = true;
    const openInbox = async (withChargeHandler: boolean) => {
      const opened = createInbox({ secret: SECRET, ...config, workers: { pollMs: POLL_MS } });
      opened.on(
        "customer.created",
        async (event) => {
          count("sync-crm", event);
          if (crmDown) throw new Error("CRM down");
        },
        { name: "sync-crm", retry: { maxAttempts: 1 } },
      );
      opened.on(
        "customer.updated",
        async (event) => {
          count("warehouse", event);
          if (warehouseDown) throw new Error("warehouse down");
        },
        { name: "warehouse", retry: { maxAttempts: 3, baseDelayMs: HOUR, maxDelayMs: HOUR } },
      );
      opened.on("customer.*", async (event) => count("customer-log", event), { name: "customer-log" });
      opened.on("invoice.*", async (event) => count("book-revenue", event), { name: "book-revenue" });
      opened.on("invoiceitem.created", async (event) => count("items", event), { name: "items" });
      if (withChargeHandler) {
        opened.on("charge.succeeded", async (event) => count("charges", event), { name: "charges" });
      }
      await opened.start();
      return opened;
    };
    inbox = await openInbox(false);
    const store = async (): Promise<Store> => {
      if (!inbox) throw new Error("no inbox");
      return inbox.store();
    };
    const rows = async <Row extends object>(sql: string, params: unknown[] = []) =>
      (await store()).query<Row>(sql.replaceAll("$schema", schema), params);

    const ids: Record<string, string> = {};
    for (const [name, type] of [
      ["c1", "customer.created"],
      ["c2", "customer.created"],
      ["u1", "customer.updated"],
      ["i1", "invoice.paid"],
      ["i2", "invoice.finalized"],
      ["ii1", "invoiceitem.created"],
      ["ch1", "charge.succeeded"],
      ["p1", "product.created"],
    ] as const) {
      const body = eventBody({ type });
      ids[name] = (JSON.parse(body) as { id: string }).id;
      await deliver(inbox, body);
    }
    const key = (handler: string, event: string) => `${handler} ${ids[event]}`;
    const expected = new Map<string, number>(
      [
        ["sync-crm", "c1"],
        ["sync-crm", "c2"],
        ["customer-log", "c1"],
        ["customer-log", "c2"],
        ["customer-log", "u1"],
        ["warehouse", "u1"],
        ["book-revenue", "i1"],
        ["book-revenue", "i2"],
        ["items", "ii1"],
      ].map(([handler, event]) => [key(handler as string, event as string), 1]),
    );
    const sorted = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
    /** Every expected run happened, and nothing else does over the next polls: nothing left due or running. */
    const expectRuns = async (bumped: Array<[handler: string, event: string]>) => {
      for (const [handler, event] of bumped) {
        const runKey = key(handler, event);
        expected.set(runKey, (expected.get(runKey) ?? 0) + 1);
      }
      await expect.poll(() => sorted(ran), { timeout: 10_000, interval: POLL_MS }).toEqual(sorted(expected));
      // A handler that returned may not have its outcome recorded yet: wait for that, then for stray runs.
      const busy = async () =>
        (
          await rows<{ runs: number; events: number }>(
            `SELECT (SELECT count(*) FROM $schema.handler_runs WHERE status IN ('pending', 'running'))::int AS runs,
                    (SELECT count(*) FROM $schema.events WHERE status = 'pending')::int AS events`,
          )
        )[0];
      await expect.poll(busy, { timeout: 10_000, interval: POLL_MS }).toEqual({ runs: 0, events: 0 });
      await sleep(POLL_MS * 8);
      expect(sorted(ran)).toEqual(sorted(expected));
      expect(await busy()).toEqual({ runs: 0, events: 0 });
    };
    const runStates = async () =>
      Object.fromEntries(
        (
          await rows<{ handler: string; event_id: string; status: string; attempts: number }>(
            "SELECT handler, event_id, status, attempts FROM $schema.handler_runs",
          )
        ).map((run) => [`${run.handler} ${run.event_id}`, `${run.status}/${run.attempts}`]),
      );
    const eventStates = async () =>
      Object.fromEntries(
        (await rows<{ id: string; status: string }>("SELECT id, status FROM $schema.events")).map((event) => [
          event.id,
          event.status,
        ]),
      );
    const replayed = async (step: ReplayStep) => {
      if (engine === "postgres" && !step.library) {
        const result = await runCli(["replay", ...step.args, ...cliStoreArgs], cliEnv);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        return result.stdout.trim().split("\n")[0];
      }
      const result = await replay(await store(), step.filter, { dryRun: step.dryRun ?? false });
      const verb = step.dryRun ? "would replay" : "replayed";
      return `${verb} ${result.runs} run(s); ${result.events} event(s) without a handler re-dispatched`;
    };

    await expectRuns([]);
    expect(await runStates()).toMatchObject({
      [key("sync-crm", "c1")]: "dead/1",
      [key("customer-log", "c1")]: "succeeded/1",
      [key("warehouse", "u1")]: "failed/1",
      [key("book-revenue", "i1")]: "succeeded/1",
    });
    const eventsBefore = await eventStates();
    expect(eventsBefore[ids.ch1 ?? ""]).toBe("no_handler");
    expect(eventsBefore[ids.p1 ?? ""]).toBe("no_handler");

    // --dry-run counts and changes nothing.
    const runsBefore = await rows("SELECT * FROM $schema.handler_runs ORDER BY event_id, handler");
    expect(await replayed({ args: ["--dead", "--dry-run"], filter: { statuses: ["dead"] }, dryRun: true })).toBe(
      "would replay 2 run(s); 0 event(s) without a handler re-dispatched",
    );
    expect(
      await replayed({
        args: ["--type", "charge.*", "--dry-run"],
        filter: { type: "charge.*" },
        dryRun: true,
        library: true,
      }),
    ).toBe("would replay 0 run(s); 1 event(s) without a handler re-dispatched");
    await sleep(POLL_MS * 5);
    expect(await rows("SELECT * FROM $schema.handler_runs ORDER BY event_id, handler")).toEqual(runsBefore);
    expect(await eventStates()).toEqual(eventsBefore);
    await expectRuns([]);

    // One event id: only its run that died runs again, not the sibling that succeeded (its effects happened).
    // The attempt count goes on (2), and the run has its budget of one attempt afresh: it ran, failed, died again.
    const c1 = ids.c1 ?? "";
    expect(await replayed({ args: [c1], filter: { eventId: c1 } })).toBe(
      "replayed 1 run(s); 0 event(s) without a handler re-dispatched",
    );
    await expectRuns([["sync-crm", "c1"]]);
    expect(await runStates()).toMatchObject({
      [key("sync-crm", "c1")]: "dead/2",
      [key("customer-log", "c1")]: "succeeded/1",
    });

    // --dead: the two dead-lettered runs; the failed run waiting for its retry is left.
    crmDown = false;
    expect(await replayed({ args: ["--dead"], filter: { statuses: ["dead"] } })).toBe(
      "replayed 2 run(s); 0 event(s) without a handler re-dispatched",
    );
    await expectRuns([
      ["sync-crm", "c1"],
      ["sync-crm", "c2"],
    ]);
    expect(await runStates()).toMatchObject({
      [key("sync-crm", "c1")]: "succeeded/3",
      [key("sync-crm", "c2")]: "succeeded/2",
      [key("warehouse", "u1")]: "failed/1",
    });

    // --failed: the run waiting an hour for its retry runs now.
    warehouseDown = false;
    expect(await replayed({ args: ["--failed"], filter: { statuses: ["failed"] } })).toMatch(/^replayed 1 run\(s\)/);
    await expectRuns([["warehouse", "u1"]]);
    expect((await runStates())[key("warehouse", "u1")]).toBe("succeeded/2");

    // Everything of c1 succeeded now: replaying it runs nothing, unless every handler is asked for.
    expect(await replayed({ args: [c1], filter: { eventId: c1 } })).toBe(
      "replayed 0 run(s); 0 event(s) without a handler re-dispatched",
    );
    await expectRuns([]);
    expect(await replayed({ args: [c1, "--all"], filter: { eventId: c1, all: true } })).toBe(
      "replayed 2 run(s); 0 event(s) without a handler re-dispatched",
    );
    await expectRuns([
      ["sync-crm", "c1"],
      ["customer-log", "c1"],
    ]);

    // --type invoice.*: nothing failed there; with --all every invoice.* run, and not invoiceitem.created.
    expect(await replayed({ args: ["--type", "invoice.*"], filter: { type: "invoice.*" } })).toMatch(
      /^replayed 0 run\(s\)/,
    );
    expect(
      await replayed({ args: ["--type", "invoice.*", "--all"], filter: { type: "invoice.*", all: true } }),
    ).toMatch(/^replayed 2 run\(s\)/);
    await expectRuns([
      ["book-revenue", "i1"],
      ["book-revenue", "i2"],
    ]);

    // --handler: that handler's runs, succeeded ones included, and not its siblings on the same events.
    expect(await replayed({ args: ["--handler", "customer-log"], filter: { handlers: ["customer-log"] } })).toMatch(
      /^replayed 3 run\(s\)/,
    );
    await expectRuns([
      ["customer-log", "c1"],
      ["customer-log", "c2"],
      ["customer-log", "u1"],
    ]);
    const u1 = ids.u1 ?? "";
    expect(
      await replayed({
        args: [u1, "--handler", "customer-log", "--handler", "warehouse"],
        filter: { eventId: u1, handlers: ["customer-log", "warehouse"] },
      }),
    ).toMatch(/^replayed 2 run\(s\)/);
    await expectRuns([
      ["customer-log", "u1"],
      ["warehouse", "u1"],
    ]);

    // A handler for charge.succeeded is added: the event that had none runs once it is replayed, not before.
    await inbox.stop();
    inbox = await openInbox(true);
    await expectRuns([]);
    expect((await eventStates())[ids.ch1 ?? ""]).toBe("no_handler");
    expect(await replayed({ args: ["--type", "charge.*"], filter: { type: "charge.*" }, library: true })).toBe(
      "replayed 0 run(s); 1 event(s) without a handler re-dispatched",
    );
    await expectRuns([["charges", "ch1"]]);
    const eventsAfter = await eventStates();
    expect(eventsAfter[ids.ch1 ?? ""]).toBe("dispatched");
    expect(eventsAfter[ids.p1 ?? ""]).toBe("no_handler");
    expect((await runStates())[key("charges", "ch1")]).toBe("succeeded/1");
  });

  it("keeps a replayed run's attempts on record, and gives it a fresh retry budget and backoff", async () => {
    db = await openWorkerTestDb(engine);
    const { config } = db;
    let clock = new Date("2026-03-01T12:00:00.000Z");
    const attemptsSeen: number[] = [];
    inbox = createInbox({ secret: SECRET, ...config, clock: () => clock, workers: { pollMs: POLL_MS } });
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        attemptsSeen.push(ctx.attempt);
        throw new Error(`CRM down on attempt ${ctx.attempt}`);
      },
      // 1 h, then 2 h, 4 h ... doubling up to 64 h: a backoff that went on counting would show past 1 h.
      { name: "sync-crm", retry: { maxAttempts: 2, baseDelayMs: HOUR, maxDelayMs: 64 * HOUR } },
    );
    await inbox.start();
    const store = await inbox.store();
    const body = eventBody({ type: "customer.created" });
    const { id } = JSON.parse(body) as { id: string };
    const run = async () => {
      const [row] = await store.query<{
        status: string;
        attempts: number;
        run_at: Date;
        finished_at: Date | null;
        last_error: string | null;
      }>(`SELECT status, attempts, run_at, finished_at, last_error FROM "${config.schema}".handler_runs`);
      if (!row) throw new Error("no run yet");
      return row;
    };
    const waitFor = (state: string) =>
      expect
        .poll(
          async () =>
            run().then(
              (row) => `${row.status}/${row.attempts}`,
              () => "no run yet",
            ),
          {
            timeout: 10_000,
            interval: POLL_MS,
          },
        )
        .toBe(state);
    /** The delay a failed attempt was given before its retry, within [half, full] of the exponential delay. */
    const retryDelay = async () => {
      const row = await run();
      if (!row.finished_at) throw new Error("a failed run records when it finished");
      return new Date(row.run_at).getTime() - new Date(row.finished_at).getTime();
    };

    await deliver(inbox, body, Math.floor(clock.getTime() / 1000));
    await waitFor("failed/1");
    expect(await retryDelay()).toBeLessThanOrEqual(HOUR);
    clock = new Date((await run()).run_at);
    await waitFor("dead/2");

    expect((await replay(store, { eventId: id }, { now: clock })).runs).toBe(1);
    await waitFor("failed/3");
    // Attempt 3 in all, the first of the new budget: retried after the base delay again, not after 4 h.
    const delay = await retryDelay();
    expect(delay).toBeGreaterThanOrEqual(HOUR / 2);
    expect(delay).toBeLessThanOrEqual(HOUR);
    expect((await run()).last_error).toBe("CRM down on attempt 3");
    clock = new Date((await run()).run_at);
    await waitFor("dead/4");
    // Dead again after the budget's two attempts, however far the clock moves.
    clock = new Date(clock.getTime() + 30 * 86_400_000);
    await sleep(POLL_MS * 8);
    expect(await run()).toMatchObject({ status: "dead", attempts: 4 });
    expect(attemptsSeen).toEqual([1, 2, 3, 4]);

    const shown = await showEvent(store, id);
    expect(shown?.runs[0]).toMatchObject({
      handler: "sync-crm",
      status: "dead",
      attempts: 4,
      max_attempts: 2,
      attempts_before_replay: 2,
      replays: 1,
    });
    expect(new Date(shown?.runs[0]?.replayed_at ?? 0).getTime()).toBeLessThan(clock.getTime());
  });

  it("answers an event id that is not stored with a clear error: the CLI exits 1 with one line", async () => {
    db = await openWorkerTestDb(engine);
    const { config } = db;
    const cliArgs = [...(config.database ? [] : ["--data-dir", config.dataDir]), "--schema", config.schema];
    const cliEnv: Record<string, string> = config.database ? { DATABASE_URL: config.database } : {};
    // Each CLI run opens the store anew, seconds of CPU on PGlite: there once.
    for (const extra of engine === "postgres" ? [[], ["--dry-run"], ["--all"]] : [[]]) {
      const missing = await runCli(["replay", "evt_missing", ...extra, ...cliArgs], cliEnv);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe("");
      expect(missing.stderr).toBe("stripe-inbox: no event evt_missing is stored; nothing replayed.\n");
    }
    inbox = createInbox({ secret: SECRET, ...config, workers: false });
    await inbox.start();
    const store = await inbox.store();
    await expect(replay(store, { eventId: "evt_missing" })).rejects.toMatchObject({
      code: "event_not_found",
      status: 404,
    });
    await expect(replay(store, { eventId: "evt_missing" }, { dryRun: true })).rejects.toMatchObject({
      code: "event_not_found",
    });
    // Stored, with nothing that failed: not an error, and the CLI says how to run succeeded handlers again.
    const body = eventBody({ type: "customer.created" });
    await deliver(inbox, body);
    const { id } = JSON.parse(body) as { id: string };
    expect(await replay(store, { eventId: id })).toEqual({ runs: 0, events: 0, handlers: [] });
    if (engine === "postgres") {
      const none = await runCli(["replay", id, ...cliArgs], cliEnv);
      expect(none).toEqual({
        code: 0,
        stdout:
          "replayed 0 run(s); 0 event(s) without a handler re-dispatched\n" +
          "runs that succeeded are left alone: --all or --handler <name> runs them again\n",
        stderr: "",
      });
    }
  });

  it("refuses filters Postgres could not take, before any query", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    await inbox.start();
    const store = await inbox.store();
    for (const filter of [
      { eventId: "evt_\u0000" },
      { type: "invoice.\u0000" },
      { handlers: ["a\u0000"] },
      { handlers: [] },
      { eventId: "x".repeat(256) },
      { since: new Date("+010000-01-01T00:00:00Z") },
      { until: new Date(Number.NaN) },
      { statuses: [] },
      { statuses: ["pending" as "dead"] },
      { statuses: ["dead" as const], all: true },
    ] satisfies ReplayFilter[]) {
      await expect(replay(store, filter), JSON.stringify(filter)).rejects.toMatchObject({
        code: "invalid_request",
        status: 400,
      });
    }
    await expect(replay(store, { all: true })).rejects.toMatchObject({ code: "replay_unfiltered" });
  });
});
