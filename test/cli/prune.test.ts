import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox } from "../../src/create-inbox.js";
import type { InboxStorage } from "../../src/retention/storage.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { deliver, postgresClient, writeHandlersModule } from "../support/workers.js";

const TOKEN = "prune-admin-token-0123456789abcdef";

interface PruneJson {
  before: string;
  dry_run: boolean;
  events: number;
  runs: number;
  deliveries: number;
  expired_ids: number;
  payload_bytes: number;
}

describe("stripe-inbox prune", () => {
  const schemas: string[] = [];
  const dirs: string[] = [];
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.kill();
    serve = undefined;
    for (const schema of schemas.splice(0)) await dropSchema(schema);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("counts with --dry-run, then removes, on Postgres; the retention is the default cut", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const inbox = createInbox({ secret: SECRET, database: POSTGRES_URL, schema, retention: false });
    await inbox.start();
    const store = await inbox.store();
    for (const type of ["customer.created", "product.created"]) await deliver(inbox, eventBody({ type }));
    await expect
      .poll(async () => (await store.query(`SELECT 1 FROM "${schema}".events WHERE status = 'no_handler'`)).length)
      .toBe(2);
    await inbox.stop();
    const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
    const json = async (args: string[]) => {
      const result = await runCli(["prune", ...args, "--json"], env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as PruneJson;
    };

    // Received just now: younger than the default 90 days, and than --before 1h.
    expect(await json(["--dry-run"])).toMatchObject({ dry_run: true, events: 0, deliveries: 0 });
    expect(await json(["--dry-run", "--before", "1h"])).toMatchObject({ events: 0 });
    expect(await json(["--dry-run", "--before", "now"])).toMatchObject({ dry_run: true, events: 2, deliveries: 2 });

    const removed = await runCli(["prune", "--before", "now"], env);
    expect(removed.stderr).toBe("");
    expect(removed.stdout).toMatch(
      /^removed, received before \S+Z: 2 event\(s\), 0 run\(s\), 2 delivery attempt\(s\), 0 expired id\(s\); [\d.]+ (B|KiB) of payloads freed for reuse\n$/,
    );
    expect(await json(["--dry-run", "--before", "now"])).toMatchObject({ events: 0, deliveries: 0 });
  });

  it("runs in serve every --prune-every, taking what has grown older than --retention", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const dir = tempDir();
    dirs.push(dir);
    const handlers = writeHandlersModule(
      dir,
      "handlers.mjs",
      `export default (inbox) => inbox.on("*", () => {}, { name: "noop" });`,
    );
    serve = await startServe({
      env: { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema },
      args: ["--handlers", handlers, "--retention", "1m", "--prune-every", "10s"],
    });
    const body = eventBody();
    expect((await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body })).status).toBe(200);
    const client = await postgresClient();
    try {
      const count = async (sql: string) => Number((await client.query(sql)).rows[0]?.n);
      await expect
        .poll(() => count(`SELECT count(*) AS n FROM "${schema}".events WHERE status = 'dispatched'`))
        .toBe(1);
      // Received two minutes ago, as far as retention can tell: the next prune, within about ten seconds, takes it.
      await client.query(`UPDATE "${schema}".events SET received_at = now() - interval '2 minutes'`);
      await client.query(`UPDATE "${schema}".deliveries SET received_at = now() - interval '2 minutes'`);
      await expect
        .poll(() => count(`SELECT count(*) AS n FROM "${schema}".events`), { timeout: 30_000, interval: 500 })
        .toBe(0);
      expect(await count(`SELECT count(*) AS n FROM "${schema}".pruned_event_ids`)).toBe(1);
    } finally {
      await client.end();
    }
  });

  it("refuses a cut it cannot read, in the future, or missing while retention is off, with one line", async () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [
        ["prune", "--before", "yesterday"],
        {},
        'stripe-inbox: --before must be an ISO time (2026-01-31T12:00:00Z), a duration back from now such as 30d or 12h, or now; not "yesterday".\n',
      ],
      [
        ["prune", "--before", "2999-01-01T00:00:00Z", "--dry-run"],
        {},
        "stripe-inbox: --before 2999-01-01T00:00:00Z is in the future: the latest cut is now.\n",
      ],
      [
        ["prune", "--dry-run"],
        { STRIPE_INBOX_RETENTION: "off" },
        "stripe-inbox: STRIPE_INBOX_RETENTION is off: say what to prune with --before (30d, an ISO time, now).\n",
      ],
      [
        ["prune", "--dry-run"],
        { STRIPE_INBOX_RETENTION: "forever" },
        'stripe-inbox: STRIPE_INBOX_RETENTION must be a duration of at least a minute, such as 30d or 12h, or off; not "forever".\n',
      ],
      [
        ["serve", "--retention", "5x"],
        {},
        'stripe-inbox: --retention must be a duration of at least a minute, such as 30d or 12h, or off; not "5x".\n',
      ],
    ];
    for (const [args, extra, stderr] of cases) {
      const result = await runCli(args, { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: uniqueSchema(), ...extra });
      expect({ args, stderr: result.stderr, code: result.code }).toEqual({ args, stderr, code: 2 });
      expect(result.stdout).toBe("");
    }
  });

  it("prunes through the running serve on PGlite, which prints its retention; a redelivery stays a duplicate", async () => {
    const dataDir = await migratedPgliteDir();
    dirs.push(dataDir);
    const env = { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN };
    serve = await startServe({
      env: { ...env, STRIPE_INBOX_LOG_LEVEL: "info" },
      args: ["--retention", "30d"],
    });
    expect(serve.output()).toContain("retention: 30d (handled events older than that are removed");
    // The log line is written asynchronously; the banner synchronously.
    await expect.poll(() => serve?.output(), { timeout: 5_000 }).toMatch(/"retention":"30d".*"msg":"listening"/);
    const bodies = [eventBody({ type: "customer.created" }), eventBody({ type: "customer.updated" })];
    const post = async (body: string) => {
      const response = await fetch(serve?.url as string, { method: "POST", headers: signedHeaders(body), body });
      expect(response.status).toBe(200);
      return (await response.json()) as { duplicate: boolean };
    };
    for (const body of bodies) expect(await post(body)).toMatchObject({ duplicate: false });
    await expect
      .poll(
        async () => {
          const listed = await runCli(["events", "list", "--json"], env);
          return (JSON.parse(listed.stdout) as Array<{ status: string }>).map((event) => event.status);
        },
        { timeout: 10_000 },
      )
      .toEqual(["no_handler", "no_handler"]);

    const stats = async () => {
      const response = await fetch(`${serve?.base}/api/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await response.json()) as { storage: InboxStorage }).storage;
    };
    const storage = await stats();
    expect(storage).toMatchObject({ retention: "30d", nextPrune: { events: 0 } });
    expect(storage.oldestEventAt).not.toBeNull();
    expect(storage.tables.find((table) => table.name === "events")?.bytes).toBeGreaterThan(0);

    const dryRun = await runCli(["prune", "--before", "now", "--dry-run"], env);
    expect(dryRun.stderr).toBe("");
    expect(dryRun.stdout).toMatch(
      /^would remove, received before \S+Z: 2 event\(s\), 0 run\(s\), 2 delivery attempt\(s\), 0 expired id\(s\)\n$/,
    );
    const removed = await runCli(["prune", "--before", "now", "--json"], env);
    expect(removed.stderr).toBe("");
    expect(JSON.parse(removed.stdout)).toMatchObject({ dry_run: false, events: 2, deliveries: 2, runs: 0 });
    expect(await post(bodies[0] as string)).toMatchObject({ duplicate: true });
    const listed = await runCli(["events", "list", "--json"], env);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    // The prune made the stats read afresh.
    expect((await stats()).oldestEventAt).toBeNull();
  });
});
