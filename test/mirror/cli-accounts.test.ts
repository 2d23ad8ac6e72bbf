import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { postgresClient } from "../support/workers.js";

const CONNECTED = "acct_1CliConnected";

describe("backfill and reconcile of connected accounts from the CLI on postgres", () => {
  let emulator: RunningEmulator;
  const schemas: string[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
    await stripe.customers.create({ email: "platform@example.com" });
    for (let n = 0; n < 2; n++) {
      await stripe.customers.create({ email: `c${n}@example.com` }, { stripeAccount: CONNECTED });
    }
  });
  const processes: ServeProcess[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((serve) => serve.kill()));
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  afterAll(async () => {
    await emulator.close();
  });
  const envWithSchemas = () => {
    const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
    schemas.push(schema, mirrorSchema);
    return {
      mirrorSchema,
      env: {
        DATABASE_URL: POSTGRES_URL,
        STRIPE_INBOX_SCHEMA: schema,
        STRIPE_API_KEY: "sk_test_cli",
        STRIPE_API_BASE: emulator.url,
      },
    };
  };

  it("backfill --account platform,acct_ writes each account's objects under it, a line per account", async () => {
    const { mirrorSchema, env } = envWithSchemas();
    const args = ["backfill", "--types", "customers", "--mirror", mirrorSchema, "--account", `platform,${CONNECTED}`];
    const result = await runCli(args, env);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")).toEqual([
      "customers: 1 written, done",
      `${CONNECTED} customers: 2 written, done`,
      `backfill complete: 3 objects written to schema ${mirrorSchema}`,
      "",
    ]);
    const client = await postgresClient();
    try {
      const rows = await client.query(`SELECT account, email FROM "${mirrorSchema}".customers ORDER BY account, email`);
      expect(rows.rows).toEqual([
        { account: "", email: "platform@example.com" },
        { account: CONNECTED, email: "c0@example.com" },
        { account: CONNECTED, email: "c1@example.com" },
      ]);
    } finally {
      await client.end();
    }
  });

  it("reconcile --account stores the connected account's events", async () => {
    const { env } = envWithSchemas();
    const result = await runCli(["reconcile", "--since", "1h", "--account", CONNECTED], env);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^2 events since \S+: 0 already in the inbox, 2 inserted\n$/);
  });

  it("serve --reconcile-account lists the connected account's events on the schedule, into the mirror", async () => {
    const { mirrorSchema, env } = envWithSchemas();
    const serve = await startServe({
      env,
      args: ["--mirror", mirrorSchema, "--reconcile-every", "1s", "--reconcile-account", `platform,${CONNECTED}`],
    });
    processes.push(serve);
    // Created after serve started: each scheduled run lists the last two intervals only.
    const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
    await stripe.customers.create({ email: "scheduled-platform@example.com" });
    await stripe.customers.create({ email: "scheduled-connected@example.com" }, { stripeAccount: CONNECTED });
    const scheduled = async () => {
      const client = await postgresClient();
      try {
        const rows = await client
          .query(
            `SELECT account, email FROM "${mirrorSchema}".customers WHERE email LIKE 'scheduled-%' ORDER BY account`,
          )
          .catch(() => ({ rows: [] }));
        return rows.rows;
      } finally {
        await client.end();
      }
    };
    await expect.poll(scheduled, { timeout: 15_000 }).toEqual([
      { account: "", email: "scheduled-platform@example.com" },
      { account: CONNECTED, email: "scheduled-connected@example.com" },
    ]);
  });

  it("serve --reconcile-account without --reconcile-every says so in one line", async () => {
    const { env } = envWithSchemas();
    const result = await runCli(["serve", "--port", String(await freePort()), "--reconcile-account", CONNECTED], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("--reconcile-account needs --reconcile-every");
  });

  it("--account with something other than an acct_ id says so in one line", async () => {
    const { env } = envWithSchemas();
    const result = await runCli(["reconcile", "--account", "cus_123"], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Not Stripe account ids: cus_123");
  });
});
