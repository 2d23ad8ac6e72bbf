import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
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
      await sleep(POLL_MS * 8);
      expect(sorted(ran)).toEqual(sorted(expected));
      const [busy] = await rows<{ runs: number; events: number }>(
        `SELECT (SELECT count(*) FROM $schema.handler_runs WHERE status IN ('pending', 'running'))::int AS runs,
                (SELECT count(*) FROM $schema.events WHERE status = 'pending')::int AS events`,
      );
      expect(busy).toEqual({ runs: 0, events: 0 });
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
        return result.stdout.trim();
      }
      const result = await replay(await store(), step.filter, { dryRun: step.dryRun ?? false });
      const verb = step.dryRun ? "would replay" : "replayed";
      return `${verb} ${result.runs} run(s); ${result.events} event(s) without a handler re-dispatched`;
    };

    await expectRuns([]);
    expect(await runStates()).toMatchObject({
      [key("sync-crm", "c1")]: "dead/1",
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

    // --dead: the two dead-lettered runs, from a fresh set of attempts; the failed run waiting for its retry is left.
    crmDown = false;
    expect(await replayed({ args: ["--dead"], filter: { statuses: ["dead"] } })).toBe(
      "replayed 2 run(s); 0 event(s) without a handler re-dispatched",
    );
    await expectRuns([
      ["sync-crm", "c1"],
      ["sync-crm", "c2"],
    ]);
    expect(await runStates()).toMatchObject({
      [key("sync-crm", "c1")]: "succeeded/1",
      [key("sync-crm", "c2")]: "succeeded/1",
      [key("warehouse", "u1")]: "failed/1",
    });

    // --failed: the run waiting an hour for its retry runs now.
    warehouseDown = false;
    expect(await replayed({ args: ["--failed"], filter: { statuses: ["failed"] } })).toMatch(/^replayed 1 run\(s\)/);
    await expectRuns([["warehouse", "u1"]]);
    expect((await runStates())[key("warehouse", "u1")]).toBe("succeeded/1");

    // --type invoice.*: every invoice.* run, and not invoiceitem.created.
    expect(await replayed({ args: ["--type", "invoice.*"], filter: { type: "invoice.*" } })).toMatch(
      /^replayed 2 run\(s\)/,
    );
    await expectRuns([
      ["book-revenue", "i1"],
      ["book-revenue", "i2"],
    ]);

    // --handler: that handler's runs only, not its siblings on the same events.
    expect(await replayed({ args: ["--handler", "customer-log"], filter: { handler: "customer-log" } })).toMatch(
      /^replayed 3 run\(s\)/,
    );
    await expectRuns([
      ["customer-log", "c1"],
      ["customer-log", "c2"],
      ["customer-log", "u1"],
    ]);

    // One event id: all of that event's runs.
    const c1 = ids.c1 ?? "";
    expect(await replayed({ args: [c1], filter: { eventId: c1 } })).toMatch(/^replayed 2 run\(s\)/);
    await expectRuns([
      ["sync-crm", "c1"],
      ["customer-log", "c1"],
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
});
