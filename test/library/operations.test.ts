import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { ConfigError } from "../../src/errors.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { eventBody, SECRET } from "../support/events.js";
import { dropSchema } from "../support/stores.js";
import { deliver, openWorkerTestDb, postgresClient, type WorkerTestDb } from "../support/workers.js";

describe("the inbox's operations", () => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  let emulator: RunningEmulator | undefined;
  let mirrorSchema: string | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await emulator?.close();
    if (mirrorSchema) await dropSchema(mirrorSchema);
    await db?.cleanup();
    inbox = emulator = mirrorSchema = db = undefined;
  });

  const runsOf = async (handler: string) =>
    (await (inbox as Inbox).store()).query<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM "${db?.config.schema}".handler_runs WHERE handler = $1`,
      [handler],
    );

  it("inbox.replay runs a dead run again, and this process's workers take it at once (PGlite, no LISTEN)", async () => {
    db = await openWorkerTestDb("pglite");
    // A poll far beyond the test's patience: only the wake-up of replay can get the run claimed in time.
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 600_000 } });
    let attempts = 0;
    inbox.on(
      "customer.created",
      async () => {
        if (++attempts === 1) throw new Error("the CRM was down");
      },
      { name: "sync-crm", retry: { maxAttempts: 1 } },
    );
    await inbox.start();
    await deliver(inbox, eventBody());
    await expect.poll(() => runsOf("sync-crm"), { timeout: 15_000 }).toEqual([{ status: "dead", attempts: 1 }]);

    expect(await inbox.replay({ statuses: ["dead"] }, { dryRun: true })).toEqual({
      runs: 1,
      events: 0,
      handlers: [{ handler: "sync-crm", runs: 1 }],
    });
    expect(await runsOf("sync-crm")).toEqual([{ status: "dead", attempts: 1 }]);
    expect(await inbox.replay({ statuses: ["dead"], handlers: ["sync-crm"] })).toEqual({
      runs: 1,
      events: 0,
      handlers: [{ handler: "sync-crm", runs: 1 }],
    });
    await expect.poll(() => runsOf("sync-crm"), { timeout: 15_000 }).toEqual([{ status: "succeeded", attempts: 2 }]);
    expect(attempts).toBe(2);
  });

  it("inbox.backfill lists objects into the inbox's mirror with the inbox's Stripe client", async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_backfill", apiBase: emulator.url }, "test");
    const created = await Promise.all(
      ["a@example.com", "b@example.com"].map((email) => stripe.customers.create({ email })),
    );
    db = await openWorkerTestDb("postgres");
    mirrorSchema = `${db.config.schema}_mirror`;
    inbox = createInbox({
      ...db.config,
      workers: false,
      mirror: { schema: mirrorSchema },
      stripe: { apiKey: "sk_test_backfill", apiBase: emulator.url },
    });
    const progress = await inbox.backfill({ types: ["customers"] });
    expect(progress).toEqual([{ type: "customers", written: 2, done: true, resumed: false }]);
    const rows = await (await inbox.store()).query<{ id: string; email: string }>(
      `SELECT id, email FROM "${mirrorSchema}".customers ORDER BY email`,
    );
    expect(rows).toEqual(created.map(({ id, email }) => ({ id, email })));
  });

  it("inbox.reconcile stores the events the inbox missed, and its handlers run on them", async () => {
    emulator = await startEmulator({ port: 0 });
    const stripe = createStripeClient({ apiKey: "sk_test_reconcile", apiBase: emulator.url }, "test");
    await stripe.customers.create({ email: "missed@example.com" });
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      stripe: { apiKey: "sk_test_reconcile", apiBase: emulator.url },
    });
    const seen: string[] = [];
    inbox.on("customer.created", async (event) => void seen.push(event.id), { name: "welcome" });
    await inbox.start();
    const result = await inbox.reconcile({ since: new Date(Date.now() - 3_600_000) });
    expect(result).toMatchObject({ listed: 1, alreadyStored: 0, inserted: 1 });
    await expect.poll(() => seen, { timeout: 15_000 }).toEqual(emulator.events().map((event) => event.id));
  });

  it("says what backfill and reconcile need, before opening the store", async () => {
    db = await openWorkerTestDb("postgres");
    inbox = createInbox({ ...db.config, workers: false });
    await expect(inbox.backfill()).rejects.toThrow(ConfigError);
    await expect(inbox.backfill()).rejects.toThrow(
      /backfill writes to the mirror: create the inbox with `mirror: true`/,
    );
    await expect(inbox.reconcile({ since: new Date() })).rejects.toThrow(
      /reconcile calls the Stripe API: set STRIPE_API_KEY/,
    );
    await inbox.stop();

    mirrorSchema = `${db.config.schema}_mirror`;
    inbox = createInbox({ ...db.config, workers: false, mirror: { schema: mirrorSchema } });
    await expect(inbox.backfill({ types: ["customers"] })).rejects.toThrow(
      /backfill calls the Stripe API: set STRIPE_API_KEY/,
    );
    await expect(inbox.backfill({ types: ["widgets"] })).rejects.toThrow(/Cannot backfill widgets; known types/);
    const client = await postgresClient();
    try {
      const schemas = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = ANY($1)", [
        [db.config.schema, mirrorSchema],
      ]);
      expect(schemas.rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
