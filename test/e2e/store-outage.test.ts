import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { type DeliveryOutcome, driveLoad, postRaw } from "../support/load.js";
import { freePort, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const postgresThrough = (port: number) => {
  const url = new URL(POSTGRES_URL);
  url.port = String(port);
  return url.toString();
};

const errorCode = (outcome: DeliveryOutcome) => (JSON.parse(outcome.body) as { error?: { code?: string } }).error?.code;

describe("Postgres cut away behind a TCP proxy", () => {
  const schema = uniqueSchema();
  let proxy: TcpProxy;
  let server: ServeProcess;
  let direct: pg.Client;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(POSTGRES_URL).port || 5432) });
    server = await startServe({
      env: { DATABASE_URL: postgresThrough(proxy.port), STRIPE_INBOX_SCHEMA: schema },
    });
    direct = new pg.Client({ connectionString: POSTGRES_URL });
    await direct.connect();
  });
  afterAll(async () => {
    await server?.kill();
    await proxy?.close();
    await direct?.end();
    await dropSchema(schema);
  });

  const deliveries = (count: number) =>
    Array.from({ length: count }, () => {
      const body = eventBody();
      return { id: (JSON.parse(body) as { id: string }).id, body };
    });
  const send = ({ body }: { body: string }) => postRaw(server.url, body, signedHeaders(body));
  const rows = async (table: "events" | "deliveries", ids: string[]) => {
    const column = table === "events" ? "id" : "event_id";
    const result = await direct.query<{ id: string; n: string }>(
      `SELECT ${column} AS id, count(*) AS n FROM "${schema}".${table} WHERE ${column} = ANY($1) GROUP BY 1`,
      [ids],
    );
    return new Map(result.rows.map((row) => [row.id, Number(row.n)]));
  };

  it("answers 503 with Retry-After and stores nothing while cut, then 200 and stores each once", async () => {
    const batch = deliveries(20);
    // Warm the pool first, so the cut also breaks connections that are open and idle.
    const warm = eventBody();
    expect((await send({ body: warm })).status).toBe(200);

    proxy.cut();
    const whileCut = await Promise.all(batch.map(send));
    for (const outcome of whileCut) {
      expect(outcome.status).toBe(503);
      expect(outcome.headers["retry-after"]).toMatch(/^\d+$/);
      expect(errorCode(outcome)).toBe("store_unavailable");
    }
    const ids = batch.map(({ id }) => id);
    expect((await rows("events", ids)).size).toBe(0);
    expect((await rows("deliveries", ids)).size).toBe(0);
    expect(server.isRunning()).toBe(true);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(503);

    proxy.restore();
    const afterRestore = await Promise.all(batch.map(send));
    expect(afterRestore.map((outcome) => outcome.status)).toEqual(batch.map(() => 200));
    expect(afterRestore.every((outcome) => JSON.parse(outcome.body).duplicate === false)).toBe(true);
    const events = await rows("events", ids);
    expect(ids.map((id) => events.get(id))).toEqual(ids.map(() => 1));
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  });

  it("never acknowledges a lost delivery nor half-writes a batch when cut in the middle of a stream", async () => {
    const cutAt = new Promise<void>((resolve) =>
      setTimeout(() => {
        proxy.cut();
        resolve();
      }, 600),
    );
    const restoredAt = cutAt.then(() => new Promise<void>((resolve) => setTimeout(resolve, 400)));
    void restoredAt.then(() => proxy.restore());
    const load = await driveLoad({
      url: server.url,
      concurrency: 32,
      stop: restoredAt.then(() => new Promise((resolve) => setTimeout(resolve, 600))),
      maxMs: 10_000,
    });
    const unavailable = [...load.refused].filter(([, status]) => status === 503).map(([id]) => id);
    const otherStatus = [...load.refused].filter(([, status]) => status !== 503);
    console.log(
      `[store-outage] sent ${load.sent}: 200 ${load.acknowledged.size}, 503 ${unavailable.length}, ` +
        `other ${otherStatus.length}, unanswered ${load.failed.size}`,
    );
    expect(otherStatus).toEqual([]);
    expect(load.failed.size).toBe(0);
    expect(load.acknowledged.size).toBeGreaterThan(0);
    expect(unavailable.length).toBeGreaterThan(0);

    const acknowledged = [...load.acknowledged];
    const events = await rows("events", acknowledged);
    expect(acknowledged.filter((id) => events.get(id) !== 1)).toEqual([]);
    // A 503 may still have committed (the COMMIT raced the cut), but then wholly and once.
    const raced = await rows("events", unavailable);
    expect([...raced.values()].every((n) => n === 1)).toBe(true);
    // Each batch is one statement: an event row and its stored delivery row exist together or not at all.
    const { rows: orphans } = await direct.query(
      `SELECT e.id FROM "${schema}".events e
        WHERE NOT EXISTS (SELECT 1 FROM "${schema}".deliveries d WHERE d.event_id = e.id AND d.outcome = 'stored')
       UNION ALL
       SELECT d.event_id FROM "${schema}".deliveries d
        WHERE d.outcome = 'stored' AND NOT EXISTS (SELECT 1 FROM "${schema}".events e WHERE e.id = d.event_id)`,
    );
    expect(orphans).toEqual([]);
    const stored = await direct.query<{ id: string; n: string }>(
      `SELECT event_id AS id, count(*) AS n FROM "${schema}".deliveries WHERE outcome = 'stored' GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(stored.rows).toEqual([]);
    console.log(`[store-outage] 503 answers whose commit raced the cut: ${raced.size}`);

    expect(server.isRunning()).toBe(true);
    const retried = await Promise.all(
      unavailable.slice(0, 50).map((id) => {
        const body = eventBody({ id });
        return postRaw(server.url, body, signedHeaders(body));
      }),
    );
    expect(retried.every((outcome) => outcome.status === 200)).toBe(true);
    const afterRetry = await rows("events", unavailable.slice(0, 50));
    expect(unavailable.slice(0, 50).every((id) => afterRetry.get(id) === 1)).toBe(true);
  });
});

describe("Postgres on a port where nothing listens", () => {
  let server: ServeProcess;

  beforeAll(async () => {
    const nothing = await freePort();
    server = await startServe({
      env: { DATABASE_URL: postgresThrough(nothing), STRIPE_INBOX_SCHEMA: uniqueSchema() },
    });
  });
  afterAll(async () => {
    await server?.kill();
  });

  it("answers 503 to deliveries and /readyz, 200 to /healthz, and stays up", async () => {
    const body = eventBody();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => postRaw(server.url, body, signedHeaders(body))));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(503);
      expect(outcome.headers["retry-after"]).toBeDefined();
      expect(errorCode(outcome)).toBe("store_unavailable");
    }
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe("not_ready");
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(server.isRunning()).toBe(true);
  });
});
