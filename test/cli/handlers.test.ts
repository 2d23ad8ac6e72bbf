import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { postgresClient, sleep, writeHandlersModule } from "../support/workers.js";

const TOKEN = "handlers-cli-admin-token-0123456789";

/** A handlers module whose `sync-crm` appends each event id to a file, or fails while `down` exists. */
function handlersModule(dir: string): { path: string; ran: () => string[]; down: string } {
  const ranFile = join(dir, "ran.txt");
  const down = join(dir, "crm-down");
  const path = writeHandlersModule(
    dir,
    "handlers.mjs",
    `import { appendFileSync, existsSync } from "node:fs";
     export default (inbox) => inbox.on("customer.created", (event) => {
       if (existsSync(${JSON.stringify(down)})) throw new Error("CRM down");
       appendFileSync(${JSON.stringify(ranFile)}, event.id + "\\n");
     }, { name: "sync-crm", retry: { maxAttempts: 1 } });`,
  );
  const ran = () => {
    try {
      return readFileSync(ranFile, "utf8").trim().split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return { path, ran, down };
}

async function send(serve: ServeProcess): Promise<string> {
  const body = eventBody();
  const response = await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body });
  expect(response.status).toBe(200);
  return (JSON.parse(body) as { id: string }).id;
}

describe("stripe-inbox handlers", () => {
  let serve: ServeProcess | undefined;
  let dir: string | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    await serve?.kill();
    serve = undefined;
    if (schema) await dropSchema(schema);
    schema = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("on Postgres, pauses a handler of a running server from another process, and resumes it", async () => {
    dir = tempDir();
    schema = uniqueSchema();
    const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
    const handlers = handlersModule(dir);
    serve = await startServe({ env, args: ["--handlers", handlers.path] });

    const paused = await runCli(["handlers", "pause", "sync-crm", "--reason", "CRM migration"], env);
    expect(paused).toMatchObject({ code: 0, stderr: "" });
    expect(paused.stdout).toContain(
      "paused sync-crm: its events wait; resume with `stripe-inbox handlers resume sync-crm`",
    );
    expect((await runCli(["handlers", "pause", "sync-crm"], env)).stdout).toContain(
      "sync-crm was already paused (by an operator)",
    );
    // The server re-reads the pauses about once a second.
    await sleep(1_500);
    const ids = [await send(serve), await send(serve)];
    await sleep(1_000);
    expect(handlers.ran()).toEqual([]);
    const listed = JSON.parse((await runCli(["handlers", "list", "--json"], env)).stdout) as unknown[];
    expect(listed).toEqual([
      {
        handler: "sync-crm",
        paused: expect.objectContaining({ paused_by: "operator", reason: "CRM migration" }),
        waiting: 2,
      },
    ]);

    const resumed = await runCli(["handlers", "resume", "sync-crm"], env);
    expect(resumed.stdout).toContain("resumed sync-crm (it was by an operator)");
    await expect.poll(() => handlers.ran().sort(), { timeout: 10_000 }).toEqual([...ids].sort());
    expect((await runCli(["handlers", "resume", "sync-crm"], env)).stdout).toContain("sync-crm was not paused");
    const db = await postgresClient();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".handler_pauses`);
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await db.end();
    }
  });

  it("on PGlite, the circuit breaker pauses a failing handler, alerts once, and the CLI resumes it through the server", async () => {
    dir = await migratedPgliteDir();
    const dataDir = dir;
    const alertLog = join(dir, "alerts.log");
    const handlers = handlersModule(dir);
    writeHandlersModule(dir, "crm-down", "");
    const env = { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN };
    serve = await startServe({
      env: {
        ...env,
        STRIPE_INBOX_PAUSE_AFTER_FAILURES: "3",
        STRIPE_INBOX_ALERT_URL: `cat >> '${alertLog}'`,
        STRIPE_INBOX_LOG_LEVEL: "error",
      },
      args: ["--handlers", handlers.path],
    });
    // Three runs fail and pause the handler; two events arriving after the pause wait for it.
    for (let i = 0; i < 3; i++) await send(serve);
    const alerts = () => {
      try {
        // The shell creates the file before the alert is written into it.
        return readFileSync(alertLog, "utf8")
          .split("\n")
          .filter((line) => line !== "");
      } catch {
        return [];
      }
    };
    await expect.poll(alerts, { timeout: 10_000 }).toHaveLength(1);
    for (let i = 0; i < 2; i++) await send(serve);
    expect(alerts()[0]).toMatch(
      /^stripe-inbox: Handler "sync-crm" paused by the circuit breaker: 3 failed runs in a row/,
    );
    expect(alerts()[0]).toContain("stripe-inbox handlers resume sync-crm");
    // The log line says the same, as JSON (stdout is not a terminal).
    await expect.poll(() => serve?.output() ?? "").toContain("paused after 3 failed runs in a row");
    const logLine = (
      serve
        .output()
        .split("\n")
        .find((line) => line.includes("paused after")) ?? "{}"
    ).trim();
    expect(JSON.parse(logLine)).toMatchObject({ level: 50, handler: "sync-crm", consecutiveFailures: 3 });

    const listed = await runCli(["handlers", "list", "--json"], env);
    expect(listed.code).toBe(0);
    const [line] = JSON.parse(listed.stdout) as Array<{
      handler: string;
      paused: { paused_by: string };
      waiting: number;
    }>;
    expect(line).toMatchObject({ handler: "sync-crm", paused: { paused_by: "circuit_breaker" } });
    expect(line?.waiting).toBeGreaterThanOrEqual(2);
    const waiting = line?.waiting ?? 0;
    await sleep(300);
    expect(alerts()).toHaveLength(1);

    rmSync(handlers.down);
    const resumed = await runCli(["handlers", "resume", "sync-crm"], env);
    expect(resumed.stdout).toContain("resumed sync-crm (it was by the circuit breaker)");
    await expect.poll(() => handlers.ran().length, { timeout: 10_000 }).toBe(waiting);

    const refused = await runCli(["handlers", "list"], { STRIPE_INBOX_DATA_DIR: dataDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(
      /^stripe-inbox: The running server at http:\/\/127\.0\.0\.1:\d+ answered: Send the admin token/,
    );
  });

  it("refuses a bad circuit-breaker setting in one line", async () => {
    dir = tempDir();
    const result = await runCli(["serve", "--port", String(await freePort())], {
      STRIPE_INBOX_DATA_DIR: dir,
      STRIPE_INBOX_PAUSE_AFTER_FAILURES: "ten",
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'stripe-inbox: STRIPE_INBOX_PAUSE_AFTER_FAILURES must be a positive integer, or 0 (or off) to never pause; not "ten".',
    );
  });
});
