import { afterEach, describe, expect, it } from "vitest";
import { retentionOption } from "../../src/cli/options.js";
import { configFromEnv } from "../../src/config.js";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { ConfigError } from "../../src/errors.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const HOUR = 3_600_000;

describe.each(ENGINES)("retention in the process running workers, on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db?.cleanup();
  });

  it("prunes on its own what is older than the retention, and only once it is handled", async () => {
    db = await openWorkerTestDb(engine);
    // The inbox's clock runs two hours ahead: events received now are older than its one-hour retention.
    const clock = () => new Date(Date.now() + 2 * HOUR);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      clock,
      workers: { pollMs: 20 },
      retention: { keep: "1h", intervalMs: 50 },
    });
    inbox.on("customer.created", async () => {}, { name: "welcome" });
    inbox.on("invoice.paid", async () => held, { name: "slow" });
    await inbox.start();
    const store = await inbox.store();
    const signedAt = Math.floor(clock().getTime() / 1000);
    const handled = eventBody({ type: "customer.created" });
    const running = eventBody({ type: "invoice.paid" });
    await deliver(inbox, handled, signedAt);
    await deliver(inbox, running, signedAt);
    const ids = async () =>
      (await store.query<{ id: string }>(`SELECT id FROM "${store.schema}".events ORDER BY id`)).map((row) => row.id);
    const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;
    await expect.poll(ids, { timeout: 10_000 }).toEqual([idOf(running)]);
    release();
    await expect.poll(ids, { timeout: 10_000 }).toEqual([]);
  });
});

describe("the retention setting", () => {
  it("takes a duration, milliseconds or off, and refuses anything else with the setting's name", () => {
    for (const keep of ["30d", "12h", 3_600_000, "off"]) {
      expect(() => createInbox({ secret: SECRET, retention: { keep } })).not.toThrow();
    }
    for (const keep of ["30", "5x", "0d", "30s", 0, -1, Number.NaN]) {
      expect(() => createInbox({ secret: SECRET, retention: { keep } })).toThrow(ConfigError);
    }
    expect(() => createInbox({ secret: SECRET, retention: { keep: "5x" } })).toThrow(
      'retention.keep must be a duration of at least a minute, such as 30d or 12h, or off; not "5x".',
    );
    expect(() => createInbox({ secret: SECRET, retention: { intervalMs: 0 } })).toThrow(ConfigError);
  });

  it("is read from STRIPE_INBOX_RETENTION, 90d when unset", () => {
    expect(configFromEnv({}).retention).toEqual({ keep: "90d" });
    expect(configFromEnv({ STRIPE_INBOX_RETENTION: "off" }).retention).toEqual({ keep: "off" });
    expect(() => configFromEnv({ STRIPE_INBOX_RETENTION: "ninety days" })).toThrow(ConfigError);
  });

  it("prunes as often as --prune-every, else STRIPE_INBOX_PRUNE_EVERY, else the library's default", () => {
    const config = configFromEnv({ STRIPE_INBOX_RETENTION: "30d", STRIPE_INBOX_PRUNE_EVERY: "15m" });
    expect(config.retention).toEqual({ keep: "30d", intervalMs: 900_000 });
    expect(retentionOption(config, {})).toEqual({ keep: 2_592_000_000, intervalMs: 900_000 });
    expect(retentionOption(config, { pruneEvery: "30s", retention: "1h" })).toEqual({
      keep: 3_600_000,
      intervalMs: 30_000,
    });
    expect(retentionOption(configFromEnv({}), {})).toEqual({ keep: 7_776_000_000 });
    expect(retentionOption(config, { retention: "off" })).toBe(false);
    expect(() => retentionOption(config, { retention: "off", pruneEvery: "5s" })).toThrow(
      '--prune-every must be a duration of at least 10s, such as 30s, 15m or 1h; not "5s".',
    );
    expect(() => configFromEnv({ STRIPE_INBOX_PRUNE_EVERY: "hourly" })).toThrow(
      'STRIPE_INBOX_PRUNE_EVERY must be a duration of at least 10s, such as 30s, 15m or 1h; not "hourly".',
    );
  });
});
