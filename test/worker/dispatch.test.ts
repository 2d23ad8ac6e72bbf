import { afterEach, describe, expect, it } from "vitest";
import type { Inbox } from "../../src/create-inbox.js";
import { createInbox } from "../../src/create-inbox.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { ENGINES, openTestStore, type TestStore } from "../support/stores.js";

async function deliver(inbox: Inbox, body: string) {
  const response = await inbox.fetch(
    new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
  );
  expect(response.status).toBe(200);
}

describe.each(ENGINES)("typed handlers on workers (%s)", (engine) => {
  let db: TestStore;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    await db.cleanup();
  });

  const open = async () => {
    db = await openTestStore(engine);
    await db.store.close();
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: 50 } });
    return inbox;
  };
  const runs = async (sql: string) => {
    if (!inbox) throw new Error("open() the inbox first");
    const store = await inbox.store();
    return store.query<Record<string, unknown>>(sql.replaceAll("$schema", `"${db.config.schema}"`));
  };

  it("runs each matching handler once per event, by exact type, wildcard and *", async () => {
    const seen: string[] = [];
    const inbox = await open();
    inbox.on(
      "customer.created",
      async (event) => {
        seen.push(`exact:${event.data.object.id}`);
      },
      { name: "customer-created" },
    );
    inbox.on(
      "customer.*",
      async (event) => {
        seen.push(`wildcard:${event.type}`);
      },
      { name: "customers" },
    );
    inbox.on(
      "*",
      async (event) => {
        seen.push(`all:${event.type}`);
      },
      { name: "everything" },
    );
    await inbox.start();
    const body = eventBody();
    await deliver(inbox, body);
    await deliver(inbox, body);
    await deliver(inbox, eventBody({ type: "invoice.paid" }));
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(4);
    expect(seen.sort()).toEqual(
      [
        "all:customer.created",
        "all:invoice.paid",
        `exact:${JSON.parse(body).data.object.id}`,
        "wildcard:customer.created",
      ].sort(),
    );
    // A handler returns before its run's success commits: wait for the commits, then check each ran once.
    await expect
      .poll(
        async () =>
          (await runs("SELECT status, attempts FROM $schema.handler_runs WHERE status <> 'succeeded'")).length,
      )
      .toBe(0);
    const statuses = await runs("SELECT handler, status, attempts FROM $schema.handler_runs ORDER BY handler");
    expect(statuses).toHaveLength(4);
    expect(statuses.every((run) => run.attempts === 1)).toBe(true);
  });

  it("marks events `no_handler` when no handler is registered at all, and leaves them pending with `workers: false`", async () => {
    const inbox = await open();
    await inbox.start();
    const body = eventBody();
    await deliver(inbox, body);
    const statusOf = async () =>
      (await runs(`SELECT status FROM $schema.events WHERE id = '${JSON.parse(body).id}'`))[0]?.status;
    await expect.poll(statusOf, { timeout: 10_000 }).toBe("no_handler");
    expect(await runs("SELECT * FROM $schema.handler_runs")).toEqual([]);

    await inbox.stop();
    const receiveOnly = createInbox({ secret: SECRET, ...db.config, workers: false });
    try {
      const second = eventBody();
      await receiveOnly.start();
      await deliver(receiveOnly, second);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const store = await receiveOnly.store();
      const [row] = await store.query<{ status: string }>(
        `SELECT status FROM "${db.config.schema}".events WHERE id = $1`,
        [JSON.parse(second).id],
      );
      expect(row?.status).toBe("pending");
    } finally {
      await receiveOnly.stop();
    }
  });

  it("refuses to register the same handler name twice", async () => {
    const inbox = await open();
    inbox.on("invoice.paid", async () => {}, { name: "book-revenue" });
    expect(() => inbox.on("invoice.paid", async () => {}, { name: "book-revenue" })).toThrow(/already registered/);
  });

  it("refuses a handler without a name, whatever the function is called (a plain JavaScript caller)", async () => {
    const inbox = await open();
    const register = inbox.on as (pattern: string, fn: unknown, options?: unknown) => void;
    expect(() => register("invoice.paid", async function bookRevenue() {})).toThrow(/needs a name/);
    expect(() => register("invoice.paid", async () => {}, {})).toThrow(/needs a name/);
    expect(() => register("invoice.paid", "not a function", { name: "x" })).toThrow(/needs a handler function/);
    expect(() => register("invoice.paid", async () => {}, { name: "has space" })).toThrow(/must be 1-100/);
  });

  it("commits the handler's own writes with the run, and retries a failure without re-running its sibling", async () => {
    const inbox = await open();
    let siblingRuns = 0;
    let failures = 0;
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        siblingRuns++;
        await ctx.sql(`CREATE TABLE IF NOT EXISTS "${db.config.schema}".ledger (key text PRIMARY KEY)`);
        await ctx.sql(`INSERT INTO "${db.config.schema}".ledger VALUES ($1)`, [ctx.idempotencyKey]);
      },
      { name: "ledger" },
    );
    inbox.on(
      "customer.created",
      async (_event, ctx) => {
        await ctx.sql(`CREATE TABLE IF NOT EXISTS "${db.config.schema}".half (key text)`);
        await ctx.sql(`INSERT INTO "${db.config.schema}".half VALUES ($1)`, [String(ctx.attempt)]);
        if (ctx.attempt < 3) {
          failures++;
          throw new Error(`flaky ${ctx.attempt}`);
        }
      },
      { name: "flaky", retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    );
    await inbox.start();
    await deliver(inbox, eventBody());
    await expect
      .poll(async () => (await runs("SELECT status FROM $schema.handler_runs WHERE handler = 'flaky'"))[0]?.status, {
        timeout: 15_000,
      })
      .toBe("succeeded");
    expect(failures).toBe(2);
    expect(siblingRuns).toBe(1);
    // The failed attempts' writes were rolled back with them; only the successful attempt's row remains.
    expect(await runs(`SELECT key FROM $schema.half`)).toEqual([{ key: "3" }]);
    const [flaky] = await runs("SELECT attempts, last_error FROM $schema.handler_runs WHERE handler = 'flaky'");
    expect(flaky).toMatchObject({ attempts: 3, last_error: "flaky 2" });
  });
});
