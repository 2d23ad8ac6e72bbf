import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
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
