import { rmSync } from "node:fs";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveLoad } from "../support/load.js";
import { type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { postgresClient, sleep, writeHandlersModule } from "../support/workers.js";

const ROUNDS = 10;
const LOAD_CLIENTS = 4;
/** Short, so that a run whose outcome could not be recorded during a reset comes back within the test. */
const LEASE = "3s";

/**
 * Two handlers on every event, each writing one row per run that commits exactly when its success does. `ship`
 * holds its run's transaction across an await, as a handler calling another API between two queries does;
 * `notify` never queries, and its write is deferred to the batch that records its success.
 */
const HANDLERS = `
const table = \`"\${process.env.STRIPE_INBOX_SCHEMA}".handled\`;
// Marks the queries after which a handler holds its transaction open, for the test to see in pg_stat_activity.
const held = \`/* held by \${process.env.STRIPE_INBOX_SCHEMA} */\`;
const elsewhere = () => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
const retry = { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 1000 };
export default (inbox) => {
  inbox.on("*", async (event, ctx) => {
    await ctx.sql(\`INSERT INTO \${table} (event_id, handler, attempt) VALUES ($1, 'ship', $2) \${held}\`, [event.id, ctx.attempt]);
    await elsewhere();
    await ctx.sql(\`SELECT 1 \${held}\`);
    await elsewhere();
  }, { name: "ship", retry });
  inbox.on("*", async (event, ctx) => {
    await elsewhere();
    ctx.defer(\`INSERT INTO \${table} (event_id, handler, attempt) VALUES ($1, 'notify', $2)\`, [event.id, ctx.attempt]);
  }, { name: "notify", retry });
};
`;

describe("serve --handlers on Postgres whose connections are reset again and again under load", () => {
  const schema = uniqueSchema();
  const dir = tempDir();
  let proxy: TcpProxy;
  let server: ServeProcess;
  let direct: pg.Client;

  beforeAll(async () => {
    direct = await postgresClient();
    await direct.query(`CREATE SCHEMA "${schema}"`);
    await direct.query(
      `CREATE TABLE "${schema}".handled (event_id text NOT NULL, handler text NOT NULL, attempt integer NOT NULL)`,
    );
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(POSTGRES_URL).port || 5432) });
    const url = new URL(POSTGRES_URL);
    url.port = String(proxy.port);
    server = await startServe({
      env: { DATABASE_URL: url.toString(), STRIPE_INBOX_SCHEMA: schema },
      args: ["--handlers", writeHandlersModule(dir, "handlers.mjs", HANDLERS), "--lease", LEASE],
    });
  });
  afterAll(async () => {
    await server?.kill();
    await proxy?.close();
    await direct?.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const one = async (sql: string, params: unknown[] = []) =>
    (await direct.query(sql.replaceAll("$schema", `"${schema}"`), params)).rows[0] as Record<string, number>;

  const heldTransactions = async () =>
    (
      await direct.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE $1",
        [`%/* held by ${schema} */`],
      )
    ).rowCount ?? 0;

  it("never exits, and handles every acknowledged event exactly once per handler", { timeout: 180_000 }, async () => {
    let exitedDuringChaos: unknown = null;
    void server.exited.then((exit) => {
      exitedDuringChaos = exit;
    });
    // Every open connection is reset (the pools', the run transactions', the LISTEN one); every other time, new
    // connections are refused for a moment too, as during a failover.
    const chaos = (async () => {
      for (let round = 0; round < ROUNDS; round++) {
        // Each reset is made while at least one handler holds its transaction open across an await.
        while (server.isRunning() && (await heldTransactions()) === 0) await sleep(20);
        if (!server.isRunning()) return;
        proxy.cut();
        if (round % 2 === 1) await sleep(200);
        proxy.restore();
        await sleep(300 + Math.random() * 500);
      }
    })();
    const load = await driveLoad({ url: server.url, concurrency: LOAD_CLIENTS, stop: chaos, maxMs: 60_000 });
    await chaos;

    const acknowledged = [...load.acknowledged];
    const otherStatus = [...load.refused.values()].filter((status) => status !== 503);
    expect(exitedDuringChaos, `serve exited:\n${server.output()}`).toBeNull();
    expect(otherStatus).toEqual([]);
    expect(load.failed.size).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(100);

    // Everything stored (acknowledged, or committed just as its answer became a 503) ends up handled by both.
    const unfinished = () =>
      one(
        `SELECT (SELECT count(*)::int FROM $schema.events WHERE status <> 'dispatched') AS events,
                (SELECT count(*)::int FROM $schema.handler_runs WHERE status <> 'succeeded') AS runs,
                (SELECT count(*)::int * 2 FROM $schema.events) - (SELECT count(*)::int FROM $schema.handler_runs) AS missing`,
      );
    await expect.poll(unfinished, { timeout: 90_000, interval: 250 }).toEqual({ events: 0, runs: 0, missing: 0 });
    expect(server.isRunning(), server.output()).toBe(true);

    const perAcknowledged = await direct.query<{ id: string; ship: number; notify: number; succeeded: number }>(
      `SELECT a.id,
              (SELECT count(*)::int FROM "${schema}".handled h WHERE h.event_id = a.id AND h.handler = 'ship') AS ship,
              (SELECT count(*)::int FROM "${schema}".handled h WHERE h.event_id = a.id AND h.handler = 'notify') AS notify,
              (SELECT count(*)::int FROM "${schema}".handler_runs r WHERE r.event_id = a.id AND r.status = 'succeeded') AS succeeded
         FROM unnest($1::text[]) AS a(id)`,
      [acknowledged],
    );
    const notOnce = perAcknowledged.rows.filter((row) => row.ship !== 1 || row.notify !== 1 || row.succeeded !== 2);
    expect(notOnce).toEqual([]);
    expect(perAcknowledged.rows).toHaveLength(acknowledged.length);
    const duplicated = await direct.query(
      `SELECT event_id, handler, count(*)::int AS n FROM "${schema}".handled GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    expect(duplicated.rows).toEqual([]);

    // The resets reached handlers holding their transaction, not only idle connections.
    const figures = await one(
      `SELECT count(*)::int AS runs,
              count(*) FILTER (WHERE attempts > 1)::int AS retried,
              count(*) FILTER (WHERE handler = 'ship' AND last_error IS NOT NULL)::int AS ship_failed,
              max(attempts)::int AS most_attempts,
              (SELECT count(*)::int FROM $schema.handler_pauses) AS paused
         FROM $schema.handler_runs`,
    );
    console.log(
      `[connection-resets] ${ROUNDS} resets; sent ${load.sent}: 200 ${acknowledged.length}, ` +
        `503 ${load.refused.size}; ${figures.runs} runs, ${figures.retried} retried ` +
        `(${figures.ship_failed} ship runs failed by a reset, most attempts ${figures.most_attempts}); ` +
        `${proxy.forwarded} connections opened`,
    );
    expect(figures.ship_failed).toBeGreaterThan(0);
    // A lost connection is not the handler's fault: the circuit breaker pauses nothing.
    expect(figures.paused).toBe(0);
  });
});
