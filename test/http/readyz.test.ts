import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { createInboxServer, type InboxServer } from "../../src/http/server.js";
import { READINESS_TIMEOUT_MS } from "../../src/library/readiness.js";
import { NOT_STARTED_WARNING_AFTER_MS } from "../../src/library/workers.js";
import { createLogger } from "../../src/log.js";
import { eventBody, SECRET } from "../support/events.js";
import { captureLines } from "../support/log-lines.js";
import { POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";

const postgresThrough = (port: number) => {
  const url = new URL(POSTGRES_URL);
  url.port = String(port);
  return url.toString();
};

describe("/readyz", () => {
  let proxy: TcpProxy | undefined;
  let inbox: Inbox | undefined;
  let server: InboxServer | undefined;
  let db: WorkerTestDb | undefined;
  afterEach(async () => {
    proxy?.restore();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
    await inbox?.stop();
    await proxy?.close();
    await db?.cleanup();
    proxy = inbox = server = db = undefined;
  });

  const serve = async (theInbox: Inbox) => {
    const log = createLogger({ level: "silent" });
    server = createInboxServer({ receive: theInbox.receive, readiness: theInbox.readiness, log });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return async () => {
      const response = await fetch(`http://127.0.0.1:${address.port}/readyz`);
      return { status: response.status, text: await response.text() };
    };
  };

  it("answers not ready with a reason code within its timeout while the database hangs, and ready once it is back", async () => {
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(POSTGRES_URL).port || 5432) });
    const out = captureLines();
    inbox = createInbox({
      secret: SECRET,
      database: postgresThrough(proxy.port),
      schema: uniqueSchema(),
      workers: false,
      logger: createLogger({ level: "warn", destination: out.destination }),
    });
    const readyz = await serve(inbox);
    expect(await readyz()).toEqual({ status: 200, text: JSON.stringify({ status: "ready" }) });

    proxy.blackhole();
    const started = performance.now();
    const answers = await Promise.all([readyz(), readyz(), readyz()]);
    const elapsed = performance.now() - started;
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text)).toEqual({ status: "not_ready", reason: "store_timeout" });
    }
    // Bounded by the timeout, not by the driver: without it a blackholed query hangs for minutes.
    expect(elapsed).toBeLessThan(READINESS_TIMEOUT_MS * 5);

    proxy.cut();
    const refused = await readyz();
    expect(refused.status).toBe(503);
    expect(["store_unavailable", "store_timeout"]).toContain(JSON.parse(refused.text).reason);
    // The answer names no host, port or driver text; the log keeps the cause for the operator.
    expect(refused.text).not.toMatch(/127\.0\.0\.1|ECONN|connect|\d{4,5}/);
    await expect.poll(() => out.json().some((line) => line.msg === "not ready"), { timeout: 10_000 }).toBe(true);

    proxy.restore();
    await expect.poll(async () => (await readyz()).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });

  it("says workers_not_started while handlers wait for a start(), and warns once events keep arriving", async () => {
    db = await openWorkerTestDb("pglite");
    const out = captureLines();
    let now = new Date("2026-06-01T00:00:00.000Z");
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      clock: () => now,
      logger: createLogger({ level: "warn", destination: out.destination }),
    });
    inbox.on("customer.created", () => {}, { name: "welcome-email" });
    const readyz = await serve(inbox);
    const signedAt = () => Math.floor(now.getTime() / 1000);

    await deliver(inbox, eventBody({ created: signedAt() }), signedAt());
    expect(JSON.parse((await readyz()).text)).toEqual({ status: "not_ready", reason: "workers_not_started" });
    const warnings = () => out.json().filter((line) => String(line.msg).includes("no worker runs their handlers"));
    expect(warnings()).toHaveLength(0);

    now = new Date(now.getTime() + NOT_STARTED_WARNING_AFTER_MS);
    await deliver(inbox, eventBody({ created: signedAt() }), signedAt());
    await deliver(inbox, eventBody({ created: signedAt() }), signedAt());
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.handlers).toEqual(["welcome-email"]);

    await inbox.start();
    expect(await readyz()).toEqual({ status: 200, text: JSON.stringify({ status: "ready" }) });
  });

  it("stays ready with handlers but `workers: false`: a receive-only process", async () => {
    db = await openWorkerTestDb("pglite");
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    inbox.on("customer.created", () => {}, { name: "welcome-email" });
    const readyz = await serve(inbox);
    await deliver(inbox, eventBody());
    expect((await readyz()).status).toBe(200);
  });
});
