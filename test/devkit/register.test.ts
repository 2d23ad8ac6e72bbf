import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { registerWebhookEndpoint } from "../../src/devkit/register.js";
import { loadWebhookSecrets } from "../../src/inbox/stored-secrets.js";
import { openStore } from "../../src/store/open.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { runCli, type ServeProcess, startServe } from "../support/processes.js";
import { type RunningInbox, startInboxServer } from "../support/servers.js";
import { ENGINES, openTestStore, POSTGRES_URL, type TestStore } from "../support/stores.js";
import { openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const API_KEY = "sk_test_register_suite";

describe.each(ENGINES)("register against the emulator, on %s", (engine) => {
  let emulator: RunningEmulator | undefined;
  let db: WorkerTestDb | undefined;
  let serve: ServeProcess | undefined;
  let inbox: RunningInbox | undefined;
  let reader: Store | undefined;
  afterEach(async () => {
    await serve?.kill();
    await inbox?.close();
    await reader?.close();
    await emulator?.close();
    await db?.cleanup();
    emulator = db = serve = inbox = reader = undefined;
  });

  /** Postgres: `serve` and `register` as the processes a user runs. PGlite is one process's: an in-process inbox and the library call. */
  const startInboxAndRegister = async (current: WorkerTestDb, running: RunningEmulator) => {
    if (engine === "postgres") {
      const storeEnv = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: current.config.schema };
      serve = await startServe({ env: storeEnv });
      const registered = await runCli(
        ["register", "--url", serve.url, "--events", "customer.created,customer.updated", "--description", "suite"],
        { ...storeEnv, STRIPE_API_KEY: API_KEY, STRIPE_API_BASE: running.url },
      );
      expect(registered.stderr).toBe("");
      expect(registered.code).toBe(0);
      reader = openPostgresStore({ connectionString: POSTGRES_URL, schema: current.config.schema });
      return { url: serve.url, stdout: registered.stdout, store: reader };
    }
    inbox = await startInboxServer({ ...current.config });
    await inbox.inbox.start();
    const store = await inbox.inbox.store();
    const endpoint = await registerWebhookEndpoint(
      createStripeClient({ apiKey: API_KEY, apiBase: running.url }, "test"),
      store,
      {
        url: inbox.url,
        events: ["customer.created", "customer.updated"],
        apiBase: running.url,
      },
    );
    return { url: inbox.url, stdout: `registered ${endpoint.id}: ${endpoint.url}`, store };
  };

  it("creates an endpoint whose deliveries the running inbox accepts at once, beside its old secret", async () => {
    emulator = await startEmulator({ port: 0, deliveryRetrySchedule: [] });
    db = await openWorkerTestDb(engine);
    const { url, stdout, store } = await startInboxAndRegister(db, emulator);

    const stripe = createStripeClient({ apiKey: API_KEY, apiBase: emulator.url }, "test");
    const { data: endpoints } = await stripe.webhookEndpoints.list();
    expect(endpoints).toHaveLength(1);
    const [endpoint] = endpoints;
    expect(endpoint).toMatchObject({
      url,
      enabled_events: ["customer.created", "customer.updated"],
      api_version: Stripe.API_VERSION,
    });
    expect(stdout).toContain(`registered ${endpoint?.id}: ${url}`);
    const [secret] = await loadWebhookSecrets(store);
    expect(secret).toMatch(/^whsec_/);
    expect(stdout).not.toContain(secret);

    // The emulator signs with the new secret; the inbox was never restarted.
    const customer = await stripe.customers.create({ email: "jenny.rosen@example.com" });
    await emulator.deliveriesSettled({ timeoutMs: 20_000 });
    expect(emulator.deliveries()).toMatchObject([{ eventType: "customer.created", status: 200, attempt: 1 }]);
    const events = await store.query<{ data_object_id: string }>(
      `SELECT data_object_id FROM "${db.config.schema}".events WHERE type = 'customer.created'`,
    );
    expect(events).toEqual([{ data_object_id: customer.id }]);

    const body = eventBody();
    const old = await fetch(url, { method: "POST", headers: signedHeaders(body, SECRET), body });
    expect(old.status).toBe(200);
  });
});

describe("register's failures", () => {
  let emulator: RunningEmulator | undefined;
  let serve: ServeProcess | undefined;
  let db: TestStore | undefined;
  afterEach(async () => {
    await serve?.kill();
    await emulator?.close();
    await db?.cleanup();
    emulator = serve = db = undefined;
  });

  const endpointsOn = async (running: RunningEmulator) =>
    (await createStripeClient({ apiKey: API_KEY, apiBase: running.url }, "test").webhookEndpoints.list()).data;

  it("says in one line that it needs STRIPE_API_KEY", async () => {
    const result = await runCli(["register", "--url", "https://shop.example/webhooks/stripe", "--events", "*"], {});
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "stripe-inbox: register calls the Stripe API: set STRIPE_API_KEY (sk_test_... or rk_...).",
    ]);
  });

  it("rejects a URL that is not http(s) and an empty event list before calling Stripe", async () => {
    for (const args of [
      ["--url", "shop.example/webhooks", "--events", "*"],
      ["--url", "https://shop.example/webhooks/stripe", "--events", " , "],
      ["--url", "https://shop.example/webhooks/stripe", "--events", "*,charge.succeeded"],
    ]) {
      const result = await runCli(["register", ...args], {
        STRIPE_API_KEY: API_KEY,
        STRIPE_API_BASE: "http://127.0.0.1:9",
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^error: option '--(url|events) .*' argument .* is invalid/);
      expect(result.stderr).not.toContain("    at ");
    }
  });

  it("with PGlite held by a running serve, stops before creating an endpoint it could not keep", async () => {
    emulator = await startEmulator({ port: 0 });
    const current = await openWorkerTestDb("pglite");
    try {
      serve = await startServe({ env: { STRIPE_INBOX_DATA_DIR: current.config.dataDir } });
      const result = await runCli(["register", "--url", serve.url, "--events", "*"], {
        STRIPE_INBOX_DATA_DIR: current.config.dataDir,
        STRIPE_API_KEY: API_KEY,
        STRIPE_API_BASE: emulator.url,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^stripe-inbox: The data directory .* is in use by process \d+/);
      expect(await endpointsOn(emulator)).toEqual([]);
    } finally {
      await serve?.kill();
      await current.cleanup();
    }
  });

  it.each(ENGINES)("deletes the endpoint again when its secret cannot be stored (%s)", async (engine) => {
    emulator = await startEmulator({ port: 0 });
    db = await openTestStore(engine);
    // Never migrated: there is no table to keep the secret in.
    const stripe = createStripeClient({ apiKey: API_KEY, apiBase: emulator.url }, "test");
    const failure = registerWebhookEndpoint(stripe, db.store, {
      url: "https://shop.example/webhooks/stripe",
      events: ["*"],
      apiBase: emulator.url,
    });
    await expect(failure).rejects.toMatchObject({
      code: "endpoint_secret_not_stored",
      message: expect.stringMatching(/^Created we_\w+ but could not store its secret .*; deleted it again\.$/),
    });
    expect(await endpointsOn(emulator)).toEqual([]);
  });

  it.each(ENGINES)("reports an unreachable Stripe API in one line and stores nothing (%s)", async (engine) => {
    const current = await openWorkerTestDb(engine);
    const storeEnv: Record<string, string> = current.config.database
      ? { DATABASE_URL: current.config.database, STRIPE_INBOX_SCHEMA: current.config.schema }
      : { STRIPE_INBOX_DATA_DIR: current.config.dataDir };
    try {
      const result = await runCli(["register", "--url", "https://shop.example/webhooks/stripe", "--events", "*"], {
        ...storeEnv,
        STRIPE_API_KEY: API_KEY,
        STRIPE_API_BASE: "http://127.0.0.1:9",
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(
        /^stripe-inbox: The Stripe API at http:\/\/127\.0\.0\.1:9 did not create the endpoint: /,
      );
      const store = await openStore({ databaseUrl: current.config.database, ...current.config });
      try {
        expect(await loadWebhookSecrets(store)).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await current.cleanup();
    }
  });
});
