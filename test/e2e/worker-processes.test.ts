import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET } from "../support/events.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import {
  deliver,
  deliverAll,
  postgresClient,
  startWorkerProcess,
  type WorkerProcess,
  writeHandlersModule,
} from "../support/workers.js";

const EVENTS = 10_000;
const WORKERS = 4;
const LEASE_MS = 1_500;

/** Each id once in a table with a unique constraint, written in the run's own transaction. */
const RECORD_IDS = `
export default (inbox) => {
  const table = \`"\${process.env.STRIPE_INBOX_SCHEMA}".handled\`;
  inbox.on("*", async (event, ctx) => {
    await ctx.sql(\`INSERT INTO \${table} (event_id, worker_pid) VALUES ($1, $2)\`, [event.id, process.pid]);
  }, { name: "record-id" });
};
`;

/**
 * Writes its effect in the run's transaction, then leaves a marker outside it (a file: it survives the kill) and,
 * on the first attempt, sleeps as if stuck on a slow API.
 */
const SLOW_FIRST_ATTEMPT = `
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// Written aside, then renamed: the test polls for the name and must never read a file still empty.
const mark = (name, text) => {
  const partial = join(process.env.HANDLER_MARKERS, \`partial-\${name}\`);
  writeFileSync(partial, text);
  renameSync(partial, join(process.env.HANDLER_MARKERS, name));
};
export default (inbox) => {
  const table = \`"\${process.env.STRIPE_INBOX_SCHEMA}".shipments\`;
  inbox.on("customer.created", async (event, ctx) => {
    await ctx.sql(\`INSERT INTO \${table} (event_id, attempt, worker_pid) VALUES ($1, $2, $3)\`, [event.id, ctx.attempt, process.pid]);
    mark(\`\${ctx.attempt}-\${process.pid}\`, String(Date.now()));
    if (ctx.attempt === 1) await new Promise((resolve) => setTimeout(resolve, 120_000));
  }, { name: "ship-order" });
};
`;

describe("worker processes on one Postgres", () => {
  let schema = "";
  let dir = "";
  let env: Record<string, string> = {};
  const workers: WorkerProcess[] = [];
  let receiver: Inbox | undefined;
  let client: pg.Client | undefined;

  beforeEach(() => {
    schema = uniqueSchema();
    dir = tempDir();
    env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    await receiver?.stop();
    receiver = undefined;
    await client?.end();
    client = undefined;
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const count = async (sql: string) =>
    Number((await client?.query<{ n: string }>(sql.replaceAll("$schema", `"${schema}"`)))?.rows[0]?.n ?? -1);
  const rows = async (sql: string) => (await client?.query(sql.replaceAll("$schema", `"${schema}"`)))?.rows ?? [];

  it(`handles ${EVENTS} events with ${WORKERS} worker processes: each once, none failed, none left pending`, {
    timeout: 180_000,
  }, async () => {
    receiver = createInbox({ secret: SECRET, database: POSTGRES_URL, dataDir: dir, schema, workers: false });
    const bodies = Array.from({ length: EVENTS }, () => eventBody());
    const insertStarted = performance.now();
    await deliverAll(receiver, bodies, 64);
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    client = await postgresClient();
    await client.query(`CREATE TABLE "${schema}".handled (event_id text PRIMARY KEY, worker_pid integer NOT NULL)`);
    expect(await count("SELECT count(*) AS n FROM $schema.events WHERE status = 'pending'")).toBe(EVENTS);

    const handlers = writeHandlersModule(dir, "record-ids.mjs", RECORD_IDS);
    const started = performance.now();
    for (let i = 0; i < WORKERS; i++) workers.push(startWorkerProcess({ handlers, env }));
    await expect
      .poll(() => count("SELECT count(*) AS n FROM $schema.handled"), { timeout: 120_000, interval: 100 })
      .toBe(EVENTS);
    const seconds = (performance.now() - started) / 1000;

    for (const worker of workers) expect(worker.isRunning(), worker.output()).toBe(true);
    expect(
      await rows("SELECT status, attempts, count(*)::int AS runs FROM $schema.handler_runs GROUP BY 1, 2"),
    ).toEqual([{ status: "succeeded", attempts: 1, runs: EVENTS }]);
    expect(await rows("SELECT status, count(*)::int AS events FROM $schema.events GROUP BY 1")).toEqual([
      { status: "dispatched", events: EVENTS },
    ]);
    expect(
      await count(
        "SELECT count(*) AS n FROM $schema.events e WHERE NOT EXISTS (SELECT 1 FROM $schema.handled h WHERE h.event_id = e.id)",
      ),
    ).toBe(0);
    const perWorker = await rows("SELECT worker_pid, count(*)::int AS handled FROM $schema.handled GROUP BY 1");
    expect(perWorker.map((row) => row.worker_pid).sort()).toEqual(workers.map((worker) => worker.pid).sort());
    const [span] = await rows(
      "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float AS seconds FROM $schema.handler_runs",
    );
    console.log(
      `[worker-processes] inserted ${EVENTS} events through the receive path in ${insertSeconds.toFixed(2)} s; ` +
        `${WORKERS} workers handled them in ${seconds.toFixed(2)} s from spawn ` +
        `(${Number(span?.seconds).toFixed(2)} s from first claim to last success, ` +
        `${Math.round(EVENTS / Number(span?.seconds))} events/s); per worker: ${perWorker.map((row) => row.handled).join(", ")}`,
    );
  });

  it("takes over the run of a worker killed with -9 mid-handler after the lease, and succeeds once", async () => {
    receiver = createInbox({ secret: SECRET, database: POSTGRES_URL, dataDir: dir, schema, workers: false });
    await receiver.start();
    client = await postgresClient();
    await client.query(
      `CREATE TABLE "${schema}".shipments (event_id text NOT NULL, attempt integer NOT NULL, worker_pid integer NOT NULL)`,
    );
    const markers = join(dir, "markers");
    mkdirSync(markers);
    const handlers = writeHandlersModule(dir, "slow-first-attempt.mjs", SLOW_FIRST_ATTEMPT);
    for (let i = 0; i < 2; i++) {
      workers.push(
        startWorkerProcess({
          handlers,
          env: { ...env, HANDLER_MARKERS: markers },
          args: ["--lease", `${LEASE_MS}ms`],
        }),
      );
    }
    const body = eventBody();
    const eventId = (JSON.parse(body) as { id: string }).id;
    await deliver(receiver, body);

    const marker = (attempt: number) => readdirSync(markers).find((name) => name.startsWith(`${attempt}-`));
    await expect.poll(() => marker(1), { timeout: 20_000, interval: 10 }).toBeDefined();
    const first = marker(1) ?? "";
    const victim = workers.find((worker) => `1-${worker.pid}` === first);
    const survivor = workers.find((worker) => worker !== victim);
    if (!victim || !survivor) throw new Error(`no worker process with the pid of marker ${first}`);
    const killedAt = Date.now();
    expect(await victim.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });

    await expect.poll(() => marker(2), { timeout: LEASE_MS + 10_000, interval: 10 }).toBe(`2-${survivor.pid}`);
    const markedAt = (name: string) => Number(readFileSync(join(markers, name), "utf8"));
    const takeoverMs = markedAt(`2-${survivor.pid}`) - killedAt;
    // Not when the dead worker's connection dropped, but once its lease ran out (counted from its claim).
    const sinceFirstAttemptMs = markedAt(`2-${survivor.pid}`) - markedAt(first);
    expect(sinceFirstAttemptMs).toBeGreaterThanOrEqual(LEASE_MS - 200);
    await expect
      .poll(async () => (await rows("SELECT status FROM $schema.handler_runs"))[0]?.status, { timeout: 10_000 })
      .toBe("succeeded");
    // The killed attempt's write died with its transaction; the second one committed with the run's success.
    expect(await rows("SELECT event_id, attempt, worker_pid FROM $schema.shipments")).toEqual([
      { event_id: eventId, attempt: 2, worker_pid: survivor.pid },
    ]);
    expect(await rows("SELECT attempts, locked_by, last_error FROM $schema.handler_runs")).toEqual([
      { attempts: 2, locked_by: null, last_error: null },
    ]);
    expect(existsSync(join(markers, `3-${survivor.pid}`))).toBe(false);
    expect(survivor.isRunning(), survivor.output()).toBe(true);
    console.log(
      `[worker-processes] lease ${LEASE_MS} ms; run taken over ${takeoverMs} ms after kill -9, ` +
        `${sinceFirstAttemptMs} ms after the first attempt started`,
    );
  });
});
