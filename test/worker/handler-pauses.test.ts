import { afterEach, describe, expect, it } from "vitest";
import { breakerAlert } from "../../src/cli/handlers.js";
import { createInbox, type Inbox, type InboxOptions } from "../../src/create-inbox.js";
import { type HandlerPause, pauseHandler } from "../../src/worker/handler-pauses.js";
import { eventBody, SECRET } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";

const POLL_MS = 20;

describe.each(ENGINES)("pausing handlers on %s", (engine) => {
  let db: WorkerTestDb;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    inbox = undefined;
    await db.cleanup();
  });

  const ran: Array<[handler: string, eventId: string]> = [];
  const runsOf = (handler: string) => ran.filter(([name]) => name === handler).map(([, id]) => id);
  const start = async (
    workers: NonNullable<Exclude<InboxOptions["workers"], false>>,
    register: (opened: Inbox) => void,
    extra: Partial<InboxOptions> = {},
  ) => {
    ran.length = 0;
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: POLL_MS, ...workers }, ...extra });
    register(inbox);
    await inbox.start();
    return inbox;
  };
  const deliverEvents = async (opened: Inbox, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const body = eventBody();
      ids.push((JSON.parse(body) as { id: string }).id);
      await deliver(opened, body);
    }
    return ids;
  };
  const statusesOf = async (opened: Inbox, handler: string) => {
    const store = await opened.store();
    const rows = await store.query<{ status: string }>(
      `SELECT status FROM "${store.schema}".handler_runs WHERE handler = $1 ORDER BY event_id`,
      [handler],
    );
    return rows.map((row) => row.status);
  };

  it("keeps a paused handler's events waiting while the other handlers run, and runs them on resume", async () => {
    const opened = await start({}, (registering) => {
      registering.on("customer.created", (event) => void ran.push(["sync-crm", event.id]), { name: "sync-crm" });
      registering.on("customer.created", (event) => void ran.push(["audit", event.id]), { name: "audit" });
    });
    const paused = await opened.handlers.pause("sync-crm", "CRM maintenance until 3 am");
    expect(paused).toMatchObject({ alreadyPaused: false, pause: { handler: "sync-crm", pausedBy: "operator" } });
    const ids = await deliverEvents(opened, 3);
    await expect.poll(() => runsOf("audit").sort(), { timeout: 10_000 }).toEqual([...ids].sort());
    await sleep(POLL_MS * 10);
    expect(runsOf("sync-crm")).toEqual([]);
    expect(await statusesOf(opened, "sync-crm")).toEqual(["pending", "pending", "pending"]);
    expect(await opened.handlers.list()).toEqual([
      { handler: "audit", paused: null, waiting: 0 },
      {
        handler: "sync-crm",
        paused: expect.objectContaining({ pausedBy: "operator", reason: "CRM maintenance until 3 am" }),
        waiting: 3,
      },
    ]);

    expect((await opened.handlers.resume("sync-crm"))?.handler).toBe("sync-crm");
    await expect.poll(() => runsOf("sync-crm").sort(), { timeout: 10_000 }).toEqual([...ids].sort());
    expect(await opened.handlers.resume("sync-crm")).toBeNull();
  });

  it("stops claiming within about a second when another process writes the pause", async () => {
    const opened = await start({}, (registering) => {
      registering.on("customer.created", (event) => void ran.push(["sync-crm", event.id]), { name: "sync-crm" });
    });
    await deliverEvents(opened, 1);
    await expect.poll(() => runsOf("sync-crm").length, { timeout: 10_000 }).toBe(1);
    // Written straight to the table, as another process's pause would be: this process is not told.
    await pauseHandler(await opened.store(), { handler: "sync-crm", by: "operator" });
    await sleep(1_500);
    await deliverEvents(opened, 2);
    await sleep(POLL_MS * 20);
    expect(runsOf("sync-crm")).toHaveLength(1);
    expect(await statusesOf(opened, "sync-crm")).toEqual(expect.arrayContaining(["pending", "pending", "succeeded"]));
  });

  it("pauses a handler after N failures in a row, once, saying how to resume", async () => {
    const texts: string[] = [];
    const breakerPauses: HandlerPause[] = [];
    const opened = await start(
      { pauseAfterFailures: 3, concurrency: 8 },
      (registering) =>
        registering.on(
          "customer.created",
          async (event) => {
            ran.push(["ledger", event.id]);
            await sleep(50);
            throw new Error("ledger down");
          },
          { name: "ledger", retry: { maxAttempts: 1 } },
        ),
      {
        onHandlerPaused: (pause) => {
          breakerPauses.push(pause);
          texts.push(breakerAlert(pause));
        },
      },
    );
    // Eight at once: all may be claimed before the breaker trips; the runs already claimed finish (and fail).
    await Promise.all(Array.from({ length: 8 }, () => deliver(opened, eventBody())));
    await expect.poll(() => breakerPauses.length, { timeout: 10_000 }).toBe(1);
    const claimedBeforeThePause = ran.length;
    await sleep(500);
    expect(breakerPauses).toHaveLength(1);
    expect(breakerPauses[0]).toMatchObject({
      handler: "ledger",
      pausedBy: "circuit_breaker",
      consecutiveFailures: 3,
    });
    expect(texts[0]).toContain('Handler "ledger" paused by the circuit breaker: 3 failed runs in a row');
    expect(texts[0]).toContain("stripe-inbox handlers resume ledger");

    await deliverEvents(opened, 2);
    await sleep(POLL_MS * 20);
    expect(ran.length).toBe(claimedBeforeThePause);
    const [line] = await opened.handlers.list();
    expect(line).toMatchObject({ handler: "ledger", waiting: 2, paused: { pausedBy: "circuit_breaker" } });
    await opened.handlers.resume("ledger");
    await expect.poll(() => ran.length, { timeout: 10_000 }).toBe(claimedBeforeThePause + 2);
  });

  it("counts only failures in a row: a success in between resets the count", async () => {
    let calls = 0;
    const breakerPauses: HandlerPause[] = [];
    const opened = await start(
      { pauseAfterFailures: 3, concurrency: 1 },
      (registering) =>
        registering.on(
          "customer.created",
          async (event) => {
            ran.push(["flaky", event.id]);
            calls++;
            if (calls % 3 !== 0) throw new Error("flaky");
          },
          { name: "flaky", retry: { maxAttempts: 1 } },
        ),
      { onHandlerPaused: (pause) => breakerPauses.push(pause) },
    );
    for (let i = 0; i < 9; i++) {
      await deliverEvents(opened, 1);
      await expect.poll(() => ran.length, { timeout: 10_000 }).toBe(i + 1);
    }
    await sleep(200);
    expect(breakerPauses).toEqual([]);
    expect((await opened.handlers.list())[0]?.paused).toBeNull();
  });

  it("never pauses with the circuit breaker turned off", async () => {
    const breakerPauses: HandlerPause[] = [];
    const opened = await start(
      { pauseAfterFailures: false },
      (registering) =>
        registering.on(
          "customer.created",
          (event) => {
            ran.push(["ledger", event.id]);
            throw new Error("ledger down");
          },
          { name: "ledger", retry: { maxAttempts: 1 } },
        ),
      { onHandlerPaused: (pause) => breakerPauses.push(pause) },
    );
    await deliverEvents(opened, 12);
    await expect.poll(() => ran.length, { timeout: 10_000 }).toBe(12);
    expect(breakerPauses).toEqual([]);
  });
});
