import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createWebhookReceiver } from "../../src/http/receive.js";
import { createDeliveryRecorder } from "../../src/inbox/record-deliveries.js";
import {
  loadWebhookSecrets,
  type StoredEndpoint,
  storeWebhookSecret,
  WebhookSecrets,
} from "../../src/inbox/stored-secrets.js";
import { silentLogger } from "../../src/log.js";
import { migrate } from "../../src/store/migrate.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { type RunningInbox, startInboxServer } from "../support/servers.js";
import { ENGINES, type Engine, openTestStore, POSTGRES_URL, type TestStore } from "../support/stores.js";
import { openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const newSecret = () => `whsec_${randomBytes(24).toString("base64url")}`;
const endpoint = (secret: string): StoredEndpoint => ({
  endpointId: `we_${randomBytes(8).toString("hex")}`,
  url: "https://shop.example/webhooks/stripe",
  secret,
  enabledEvents: ["payment_intent.succeeded", "charge.succeeded"],
  livemode: false,
  apiBase: "http://127.0.0.1:12111",
});

describe.each(ENGINES)("webhook secrets stored in the database, on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let running: RunningInbox | undefined;
  let writer: Store | undefined;
  afterEach(async () => {
    await writer?.close();
    await running?.close();
    await db?.cleanup();
    writer = running = db = undefined;
  });

  /** Postgres: `register` writes from a process of its own. PGlite is one process's, so through the inbox's store. */
  const writerFor = async (inbox: RunningInbox["inbox"], current: WorkerTestDb) => {
    if (engine === "pglite") return inbox.store();
    writer = openPostgresStore({ connectionString: POSTGRES_URL, schema: current.config.schema });
    return writer;
  };
  const post = (url: string, secret: string) => {
    const body = eventBody();
    return fetch(url, { method: "POST", headers: signedHeaders(body, secret), body });
  };

  it("accepts a secret stored while it runs on its first delivery, and still the configured one", async () => {
    db = await openWorkerTestDb(engine);
    running = await startInboxServer({ ...db.config });
    await running.inbox.start();
    const rotated = newSecret();
    expect((await post(running.url, rotated)).status).toBe(400);

    await storeWebhookSecret(await writerFor(running.inbox, db), endpoint(rotated));
    const first = await post(running.url, rotated);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ received: true, duplicate: false });
    expect((await post(running.url, SECRET)).status).toBe(200);
  });

  it("receives with stored secrets alone when no secret is configured", async () => {
    db = await openWorkerTestDb(engine);
    running = await startInboxServer({ ...db.config, secret: undefined });
    await running.inbox.start();
    const before = await post(running.url, SECRET);
    expect(before.status).toBe(500);
    expect(await before.json()).toMatchObject({ error: { code: "config_invalid" } });

    const stored = newSecret();
    await storeWebhookSecret(await writerFor(running.inbox, db), endpoint(stored));
    expect((await post(running.url, stored)).status).toBe(200);
    expect((await post(running.url, SECRET)).status).toBe(400);
  });

  it("loads the stored secrets newest first", async () => {
    db = await openWorkerTestDb(engine);
    running = await startInboxServer({ ...db.config });
    const store = await writerFor(running.inbox, db);
    await migrate(store);
    const [older, newer] = [newSecret(), newSecret()];
    await storeWebhookSecret(store, endpoint(older));
    await store.query(`UPDATE "${db.config.schema}".webhook_secrets SET created_at = now() - interval '1 day'`);
    await storeWebhookSecret(store, endpoint(newer));
    expect(await loadWebhookSecrets(store)).toEqual([newer, older]);
  });
});

describe.each(ENGINES)("the secret cache and the reload on mismatch, on %s", (engine: Engine) => {
  let db: TestStore | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  /** The real receiver and recorder over a real store, with the loads of stored secrets counted. */
  const receiverOver = async (options: { log?: pino.Logger; configured?: string[] } = {}) => {
    db = await openTestStore(engine);
    const { store } = db;
    await migrate(store);
    const log = options.log ?? silentLogger;
    let loads = 0;
    const secrets = new WebhookSecrets({
      configured: options.configured ?? [SECRET],
      load: () => {
        loads++;
        return loadWebhookSecrets(store);
      },
      log,
      minReloadMs: 200,
    });
    const recorder = createDeliveryRecorder(store);
    const receive = createWebhookReceiver({
      secrets: () => secrets.current(),
      reloadSecrets: () => secrets.reload(),
      recorder: async () => recorder,
      toleranceSeconds: 300,
      maxBodyBytes: 1024 * 1024,
      log,
    });
    const handle = createFetchHandler(receive);
    const post = (secret: string) => {
      const body = eventBody();
      return handle(
        new Request("http://inbox.test/webhooks/stripe", {
          method: "POST",
          headers: signedHeaders(body, secret),
          body,
        }),
      );
    };
    return { store, secrets, post, loads: () => loads, drain: () => recorder.drain() };
  };

  it("verifies matching deliveries without a single query for secrets", async () => {
    const { post, loads, drain } = await receiverOver();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(SECRET)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(loads()).toBe(0);
    await drain();
  });

  it("reloads at most once per interval however many forged deliveries arrive", async () => {
    const { post, loads, drain } = await receiverOver();
    const started = performance.now();
    const first = await Promise.all(Array.from({ length: 50 }, () => post(newSecret())));
    const second = await Promise.all(Array.from({ length: 50 }, () => post(newSecret())));
    const elapsed = performance.now() - started;
    expect([...first, ...second].every((answer) => answer.status === 400)).toBe(true);
    // Each forged delivery waits for a load that began after it arrived; those loads are shared, 200 ms apart.
    expect(loads()).toBeGreaterThanOrEqual(2);
    expect(loads()).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 200));
    await drain();
  });

  it("does not trust a load already running to have seen a secret committed meanwhile", async () => {
    const { store, secrets } = await receiverOver();
    const stored = newSecret();
    const running = secrets.reload();
    // Stored while the first load may already have read the table: a later reload() must read again.
    await storeWebhookSecret(store, endpoint(stored));
    await secrets.reload();
    await running;
    expect(secrets.current()).toContain(stored);
    expect(secrets.current()[0]).toBe(SECRET);
  });

  it("forgets a deleted secret at the next background refresh", async () => {
    db = await openTestStore(engine);
    const { store } = db;
    await migrate(store);
    const stored = newSecret();
    await storeWebhookSecret(store, endpoint(stored));
    const secrets = new WebhookSecrets({
      configured: [],
      load: () => loadWebhookSecrets(store),
      log: silentLogger,
      minReloadMs: 10,
      refreshMs: 50,
    });
    try {
      await secrets.reload();
      expect(secrets.current()).toEqual([stored]);
      secrets.startRefreshing();
      await store.query(`DELETE FROM "${db.config.schema}".webhook_secrets`);
      await expect.poll(() => secrets.current(), { timeout: 5_000 }).toEqual([]);
    } finally {
      secrets.close();
    }
  });

  it("never writes a secret into its logs or answers", async () => {
    let logged = "";
    const log = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _encoding, done) {
          logged += String(chunk);
          done();
        },
      }),
    );
    const { store, post, secrets, drain } = await receiverOver({ log });
    const stored = newSecret();
    await storeWebhookSecret(store, endpoint(stored));
    const forged = newSecret();
    const texts = await Promise.all(
      [post(forged), post(stored), post(SECRET)].map(async (answer) => (await answer).text()),
    );
    await secrets.reload();
    await drain();
    expect(logged).toContain("reloaded");
    expect(logged).toContain("signature_mismatch");
    for (const secret of [stored, forged, SECRET]) {
      expect(logged).not.toContain(secret);
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});
