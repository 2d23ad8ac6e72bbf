import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/cli/doctor/report.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { writeHandlersModule } from "../support/workers.js";

/** `doctor --json`: the exit code and the checks by name. */
async function doctor(env: Record<string, string>, args: string[] = []) {
  const result = await runCli(["doctor", "--json", ...args], { STRIPE_API_KEY: "", ...env });
  const report = JSON.parse(result.stdout) as { status: string; checks: CheckResult[] };
  const check = (name: string) => report.checks.find((line) => line.check === name);
  return { ...result, report, check };
}

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("doctor on Postgres", () => {
  const schemas: string[] = [];
  const postgres = () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    return { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema, STRIPE_WEBHOOK_SECRET: SECRET };
  };
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.kill();
    serve = undefined;
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("fails the store until it is migrated, without migrating it itself, then passes every check", async () => {
    const env = postgres();
    const before = await doctor(env);
    expect(before.code).toBe(1);
    expect(before.report.status).toBe("fail");
    expect(before.check("store")).toMatchObject({ status: "fail" });
    expect(before.check("store")?.message).toMatch(/migrations at 0 of \d+; run `stripe-inbox migrate`/);
    expect(await schemaExists(env.STRIPE_INBOX_SCHEMA)).toBe(false);

    expect((await runCli(["migrate"], env)).code).toBe(0);
    const after = await doctor(env);
    expect(after.code).toBe(0);
    expect(after.report.checks.map(({ check, status }) => `${status} ${check}`)).toEqual([
      "ok webhook secret",
      "ok store",
      "ok clock (database)",
      "ok backlog",
      "ok dead runs",
    ]);
    expect(after.check("clock (database)")?.message).toMatch(/^within \d+ s of the database's now\(\)$/);
  });

  it("prints one aligned line per check, and fails on an API key given as the webhook secret", async () => {
    const env = { ...postgres(), STRIPE_WEBHOOK_SECRET: "sk_test_51NotAWebhookSecret" };
    await runCli(["migrate"], env);
    const result = await runCli(["doctor"], { ...env, STRIPE_API_KEY: "" });
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^fail {2}webhook secret {4}STRIPE_WEBHOOK_SECRET is a secret API key \(sk_test_\.\.\.\), not a webhook signing secret/,
    );
    expect(lines[1]).toMatch(/^ok {4}store {13}Postgres at 127\.0\.0\.1:5432\/test, schema t_\w+: reachable/);
    expect(result.stdout).not.toContain("51NotAWebhookSecret");
    expect(result.stderr).toBe("");
  });

  it("fails the store line in one line when Postgres does not answer", async () => {
    const port = await freePort();
    const result = await doctor({ ...postgres(), DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/test` });
    expect(result.code).toBe(1);
    expect(result.check("store")?.status).toBe("fail");
    expect(result.check("store")?.message).toContain(`Postgres at 127.0.0.1:${port}/test:`);
    expect(result.stdout).not.toContain("hunter2");
    expect(result.stderr).toBe("");
  });

  it("warns of work waiting past the alert threshold and of dead runs, and says what to run", async () => {
    const env = postgres();
    const dir = tempDir();
    const handlers = writeHandlersModule(
      dir,
      "handlers.mjs",
      `export default (inbox) => {
         inbox.on("invoice.paid", () => { throw new Error("ledger down"); }, { name: "book-revenue", retry: { maxAttempts: 1 } });
         inbox.on("customer.created", () => new Promise(() => {}), { name: "sync-crm" });
       };`,
    );
    serve = await startServe({
      env: { ...env, STRIPE_INBOX_PAUSE_AFTER_FAILURES: "off" },
      args: ["--handlers", handlers],
    });
    for (const type of ["invoice.paid", "customer.created"]) {
      const body = eventBody({ type });
      expect((await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body })).status).toBe(200);
    }
    const waited = { ...env, STRIPE_INBOX_ALERT_PENDING_SECONDS: "1" };
    await expect
      .poll(async () => (await doctor(waited)).check("dead runs")?.status, { timeout: 15_000, interval: 500 })
      .toBe("warn");
    await expect
      .poll(async () => (await doctor(waited)).check("backlog")?.status, { timeout: 15_000, interval: 500 })
      .toBe("warn");
    const result = await doctor(waited);
    expect(result.code).toBe(0);
    expect(result.report.status).toBe("warn");
    expect(result.check("dead runs")?.message).toBe(
      "1 run(s) gave up: `stripe-inbox events list --status dead` shows their events, `stripe-inbox replay --dead` runs them again",
    );
    expect(result.check("backlog")?.message).toMatch(
      /^0 event\(s\) not yet dispatched, 0 run\(s\) pending, 1 running, 0 waiting for a retry; the oldest has waited \d+ s \(over 1 s\): are workers running .*`stripe-inbox handlers list`/,
    );
    // Under the default threshold the same backlog is fine.
    expect((await doctor(env)).check("backlog")?.status).toBe("ok");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("doctor on PGlite", () => {
  let serve: ServeProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await serve?.kill();
    serve = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("goes through the running serve's admin API while it holds the data dir, and opens it once serve stops", async () => {
    dir = tempDir();
    const missing = await doctor({ STRIPE_INBOX_DATA_DIR: join(dir, "none"), STRIPE_WEBHOOK_SECRET: SECRET });
    expect(missing.code).toBe(1);
    expect(missing.check("store")?.message).toMatch(
      /no database in .*none yet: `stripe-inbox serve` or `stripe-inbox migrate`/,
    );
    expect(existsSync(join(dir, "none"))).toBe(false);

    rmSync(dir, { recursive: true });
    dir = await migratedPgliteDir();
    const env = { STRIPE_INBOX_DATA_DIR: dir, STRIPE_WEBHOOK_SECRET: SECRET };

    serve = await startServe({ env });
    const through = await doctor(env);
    expect(through.code).toBe(0);
    expect(through.check("store")?.message).toMatch(
      new RegExp(
        `^PGlite in ${dir}, through the serve at ${serve.base}, schema stripe_inbox: reachable, migrations current`,
      ),
    );
    expect(through.check("clock (database)")?.status).toBe("ok");
    expect(through.check("dead runs")?.status).toBe("ok");
    expect(serve.isRunning()).toBe(true);

    serve.child.kill("SIGTERM");
    await serve.exited;
    const direct = await doctor(env);
    expect(direct.code).toBe(0);
    expect(direct.check("store")?.message).toMatch(new RegExp(`^PGlite in ${dir}, schema stripe_inbox: reachable`));
  });
});
