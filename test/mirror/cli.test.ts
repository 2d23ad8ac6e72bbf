import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { CLI, cleanEnv, freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { postgresClient } from "../support/workers.js";
import { mirrorEvent, mirroredEmail, objectId, postSigned } from "./support.js";

const T = 1_760_000_000;

describe("the mirror from the CLI on postgres", () => {
  const schemas: string[] = [];
  const processes: ServeProcess[] = [];
  let stopWorker: (() => void) | undefined;
  afterEach(async () => {
    stopWorker?.();
    for (const running of processes.splice(0)) await running.kill();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  const existingSchemas = async (names: string[]) => {
    const client = await postgresClient();
    try {
      const found = await client.query("SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [names]);
      return found.rows;
    } finally {
      await client.end();
    }
  };

  it("serve with STRIPE_INBOX_MIRROR applies signed deliveries to that schema", async () => {
    const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
    schemas.push(schema, mirrorSchema);
    const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema, STRIPE_INBOX_MIRROR: mirrorSchema };
    const serve = await startServe({ env });
    processes.push(serve);
    const id = objectId("cus");
    await postSigned(
      serve,
      JSON.stringify(
        mirrorEvent({ type: "customer.created", object: { id, object: "customer", email: "a@x.io" }, created: T }),
      ),
    );
    await expect.poll(() => mirroredEmail(mirrorSchema, id), { timeout: 15_000 }).toBe("a@x.io");
  });

  it("worker --mirror, without a handlers module, applies what serve received", async () => {
    const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
    schemas.push(schema, mirrorSchema);
    const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
    const serve = await startServe({ env });
    processes.push(serve);
    const worker = spawn(process.execPath, [CLI, "worker", "--mirror", mirrorSchema], {
      env: cleanEnv(env),
      stdio: "ignore",
    });
    stopWorker = () => {
      worker.kill("SIGKILL");
    };
    const id = objectId("cus");
    await postSigned(
      serve,
      JSON.stringify(
        mirrorEvent({ type: "customer.updated", object: { id, object: "customer", email: "b@x.io" }, created: T }),
      ),
    );
    await expect.poll(() => mirroredEmail(mirrorSchema, id), { timeout: 15_000 }).toBe("b@x.io");
  });

  it("worker without --handlers or --mirror says what it needs in one line", async () => {
    const result = await runCli(["worker", "--database-url", POSTGRES_URL], {});
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("--handlers <module>, --mirror");
  });

  it("reconcile stores the events the inbox missed and prints the counts", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
      for (let n = 0; n < 3; n++) await stripe.customers.create({ email: `c${n}@example.com` });
      const schema = uniqueSchema();
      schemas.push(schema);
      const env = {
        DATABASE_URL: POSTGRES_URL,
        STRIPE_INBOX_SCHEMA: schema,
        STRIPE_API_KEY: "sk_test_cli",
        STRIPE_API_BASE: emulator.url,
      };
      const first = await runCli(["reconcile", "--since", "1h"], env);
      expect(first.stderr).toBe("");
      expect(first.stdout).toMatch(/^3 events since \S+: 0 already in the inbox, 3 inserted\n$/);
      const second = await runCli(["reconcile", "--since", "1h"], env);
      expect(second.stdout).toMatch(/: 3 already in the inbox, 0 inserted/);
    } finally {
      await emulator.close();
    }
  });

  it("reconcile without STRIPE_API_KEY says so in one line", async () => {
    const result = await runCli(["reconcile"], { DATABASE_URL: POSTGRES_URL });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("STRIPE_API_KEY");
  });

  it("serve --reconcile-every brings in events that were never delivered, and the mirror applies them", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
      schemas.push(schema, mirrorSchema);
      const env = {
        DATABASE_URL: POSTGRES_URL,
        STRIPE_INBOX_SCHEMA: schema,
        STRIPE_API_KEY: "sk_test_cli",
        STRIPE_API_BASE: emulator.url,
      };
      const serve = await startServe({
        env,
        args: ["--mirror", mirrorSchema, "--reconcile-every", "1s"],
      });
      processes.push(serve);
      // No webhook endpoint is registered with the emulator: this event is never delivered.
      const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
      const customer = await stripe.customers.create({ email: "never-delivered@example.com" });
      await expect
        .poll(() => mirroredEmail(mirrorSchema, customer.id), { timeout: 15_000 })
        .toBe("never-delivered@example.com");
    } finally {
      await emulator.close();
    }
  });

  it("backfill writes listed objects to the mirror with a plain line per page when not on a terminal", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
      for (let n = 0; n < 3; n++) await stripe.customers.create({ email: `b${n}@example.com` });
      const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
      schemas.push(schema, mirrorSchema);
      const env = {
        DATABASE_URL: POSTGRES_URL,
        STRIPE_INBOX_SCHEMA: schema,
        STRIPE_API_KEY: "sk_test_cli",
        STRIPE_API_BASE: emulator.url,
      };
      const result = await runCli(["backfill", "--types", "customers,products", "--mirror", mirrorSchema], env);
      expect(result.stderr).toBe("");
      expect(result.stdout.split("\n")).toEqual([
        "customers: 3 written, done",
        "products: 0 written, done",
        `backfill complete: 3 objects written to schema ${mirrorSchema}`,
        "",
      ]);
      const client = await postgresClient();
      try {
        const rows = await client.query(`SELECT email FROM "${mirrorSchema}".customers ORDER BY email`);
        expect(rows.rows.map((row) => row.email)).toEqual(["b0@example.com", "b1@example.com", "b2@example.com"]);
      } finally {
        await client.end();
      }
    } finally {
      await emulator.close();
    }
  });

  it("backfill of an unknown type says which types it knows, in one line, and creates nothing", async () => {
    const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
    schemas.push(schema, mirrorSchema);
    const result = await runCli(["backfill", "--types", "widgets", "--mirror", mirrorSchema], {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_API_KEY: "sk_test_cli",
      STRIPE_API_BASE: "http://127.0.0.1:9",
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Cannot backfill widgets; known types:");
    expect(await existingSchemas([schema, mirrorSchema])).toEqual([]);
  });

  it("backfill into a mirror schema that is not a plain identifier says so in one line and creates nothing", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const result = await runCli(["backfill", "--mirror", "Not-Plain"], {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_API_KEY: "sk_test_cli",
      STRIPE_API_BASE: "http://127.0.0.1:9",
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain('Mirror schema "Not-Plain" must be a plain lower-case identifier');
    expect(await existingSchemas([schema])).toEqual([]);
  });

  it("serve --reconcile-every without STRIPE_API_KEY says so in one line before it migrates anything", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const result = await runCli(["serve", "--port", String(await freePort()), "--reconcile-every", "1m"], {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_WEBHOOK_SECRET: SECRET,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("STRIPE_API_KEY");
    expect(await existingSchemas([schema])).toEqual([]);
  });
});
