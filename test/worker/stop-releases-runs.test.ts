import { randomInt } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { silentLogger } from "../../src/log.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import type { HandlerContext } from "../../src/worker/registry.js";
import { HandlerRegistry } from "../../src/worker/registry.js";
import { createWorker, type Worker } from "../../src/worker/worker.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES, type Engine, POSTGRES_URL } from "../support/stores.js";
import { deliver, openWorkerTestDb, postgresClient, type WorkerTestDb } from "../support/workers.js";

type RunHandler = (event: { id: string }, ctx: HandlerContext) => Promise<void>;

/**
 * An inbox that receives, and workers made by hand on its database, each with the default lease (5 minutes): a run
 * that reaches the second worker within seconds was released by the first, not taken over after its lease. On
 * Postgres each worker has a pool of its own, as a process would; PGlite's one connection is shared.
 */
async function openSetting(engine: Engine) {
  const db: WorkerTestDb = await openWorkerTestDb(engine);
  const receiver: Inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
  await receiver.start();
  const shared = await receiver.store();
  const direct = engine === "postgres" ? await postgresClient() : null;
  const stores: Store[] = [];
  const workers: Worker[] = [];
  const schema = `"${db.config.schema}"`;
  /** Reads and sets up through a connection of the test's own where there can be one. */
  const query = async <Row extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    direct ? ((await direct.query(sql, params)).rows as Row[]) : shared.query<Row>(sql, params);
  return {
    receiver,
    schema,
    query,
    runs: () =>
      query<{ handler: string; status: string; attempts: number; locked_by: string | null }>(
        `SELECT handler, status, attempts, locked_by FROM ${schema}.handler_runs ORDER BY handler, event_id`,
      ),
    worker(handlers: Record<string, RunHandler>): Worker {
      const store =
        engine === "postgres"
          ? openPostgresStore({ connectionString: POSTGRES_URL, schema: db.config.schema, poolSize: 18 })
          : shared;
      if (store !== shared) stores.push(store);
      const registry = new HandlerRegistry();
      for (const [name, fn] of Object.entries(handlers)) registry.on("customer.created", fn, { name });
      const worker = createWorker({
        store,
        registry,
        log: silentLogger,
        pollMs: 50,
        stripe: () => {
          throw new Error("no Stripe API in this test");
        },
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      for (const worker of workers.splice(0)) await worker.stop(0);
      for (const store of stores.splice(0)) await store.close();
      await receiver.stop();
      await direct?.end();
      await db.cleanup();
    },
  };
}
type Setting = Awaited<ReturnType<typeof openSetting>>;

describe("a worker that stops while its claim runs (postgres)", () => {
  let setting: Setting | undefined;
  afterEach(async () => {
    await setting?.close();
    setting = undefined;
  });

  it("gives back at once the runs it claimed, without using up an attempt", async () => {
    setting = await openSetting("postgres");
    const { receiver, schema, query, worker, runs } = setting;
    for (let i = 0; i < 5; i++) await deliver(receiver, eventBody());
    // Holds each claim (an UPDATE to 'running') on an advisory lock the test owns, so that stop() can be called
    // while the claim is under way.
    const key = randomInt(1, 2 ** 31);
    await query(`
      CREATE FUNCTION ${schema}.hold_claims() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'running' AND OLD.status <> 'running' THEN PERFORM pg_advisory_xact_lock(${key}); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_claims BEFORE UPDATE ON ${schema}.handler_runs
        FOR EACH ROW EXECUTE FUNCTION ${schema}.hold_claims();`);
    await query("SELECT pg_advisory_lock($1)", [key]);

    const ranOnFirst: string[] = [];
    const first = worker({
      ship: async (event) => {
        ranOnFirst.push(event.id);
      },
    });
    first.start();
    const claimWaiting = async () =>
      (
        await query(
          `SELECT 1 FROM pg_locks
            WHERE locktype = 'advisory' AND classid = 0 AND objid = $1::bigint::oid AND objsubid = 1 AND NOT granted`,
          [key],
        )
      ).length;
    await expect.poll(claimWaiting, { timeout: 15_000 }).toBe(1);
    const stopped = first.stop(0);
    await query("SELECT pg_advisory_unlock($1)", [key]);
    await stopped;

    expect(ranOnFirst).toEqual([]);
    const released = await query(
      `SELECT status, attempts, locked_by, locked_until, started_at FROM ${schema}.handler_runs`,
    );
    expect(released).toEqual(
      Array.from({ length: 5 }, () => ({
        status: "pending",
        attempts: 0,
        locked_by: null,
        locked_until: null,
        started_at: null,
      })),
    );

    await query(`DROP TRIGGER hold_claims ON ${schema}.handler_runs`);
    const ranOnSecond: string[] = [];
    worker({
      ship: async (event) => {
        ranOnSecond.push(event.id);
      },
    }).start();
    await expect
      .poll(runs, { timeout: 15_000 })
      .toEqual(
        Array.from({ length: 5 }, () => ({ handler: "ship", status: "succeeded", attempts: 1, locked_by: null })),
      );
    expect(ranOnSecond).toHaveLength(5);
  });
});

describe.each(ENGINES)("a worker that stops while a handler ignores its signal (%s)", (engine) => {
  let setting: Setting | undefined;
  afterEach(async () => {
    await setting?.close();
    setting = undefined;
  });

  it("gives back at once the runs of handlers that ignored their signal, and their late writes never commit", async () => {
    setting = await openSetting(engine);
    const { receiver, schema, query, worker, runs } = setting;
    const table = `${schema}.shipments`;
    await query(`CREATE TABLE ${table} (attempt int NOT NULL)`);
    await deliver(receiver, eventBody());
    let hang = () => {};
    const hung = new Promise<void>((resolve) => {
      hang = resolve;
    });
    const started = new Set<string>();
    const lateWrites: unknown[] = [];
    const first = worker({
      // Writes through the run's transaction, then waits on something that ignores ctx.signal.
      "with-tx": async (_event, ctx) => {
        await ctx.sql(`INSERT INTO ${table} VALUES ($1)`, [ctx.attempt]);
        started.add("with-tx");
        await hung;
        lateWrites.push(
          await ctx.sql(`INSERT INTO ${table} VALUES (-1)`).then(
            () => "written",
            (error: unknown) => error,
          ),
        );
      },
      "no-tx": async () => {
        started.add("no-tx");
        await hung;
      },
    });
    first.start();
    await expect.poll(() => started.size, { timeout: 15_000 }).toBe(2);
    await first.stop(0);

    const released = await query(
      `SELECT handler, status, attempts, locked_by, last_error FROM ${schema}.handler_runs ORDER BY handler`,
    );
    expect(released).toEqual(
      ["no-tx", "with-tx"].map((handler) => ({
        handler,
        status: "failed",
        attempts: 1,
        locked_by: null,
        last_error: expect.stringMatching(/worker stopped before the handler returned/),
      })),
    );

    const write: RunHandler = async (_event, ctx) => {
      await ctx.sql(`INSERT INTO ${table} VALUES ($1)`, [ctx.attempt]);
    };
    worker({ "with-tx": write, "no-tx": async () => {} }).start();
    const succeededOnSecond = ["no-tx", "with-tx"].map((handler) => ({
      handler,
      status: "succeeded",
      attempts: 2,
      locked_by: null,
    }));
    await expect.poll(runs, { timeout: 15_000 }).toEqual(succeededOnSecond);

    // The abandoned handlers return now: nothing of theirs commits, and the runs stay the second worker's.
    hang();
    await expect.poll(() => lateWrites.length).toBe(1);
    expect(lateWrites[0]).toBeInstanceOf(Error);
    expect(await query(`SELECT attempt FROM ${table}`)).toEqual([{ attempt: 2 }]);
    expect(await runs()).toEqual(succeededOnSecond);
  });
});
