import type { Server } from "node:http";
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { createInboxServer } from "../../src/http/server.js";
import { silentLogger } from "../../src/log.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { listen } from "../support/servers.js";
import { ENGINES, tempDir } from "../support/stores.js";
import { openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";
import { sample } from "./prometheus.js";

const POLL_MS = 20;

describe.each(ENGINES)("/metrics on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
    await inbox?.stop();
    await db?.cleanup();
  });

  it("counts a known sequence of deliveries and handler runs exactly", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: { pollMs: POLL_MS } });
    inbox.on("customer.created", async () => {}, { name: "welcome-email" });
    inbox.on(
      "invoice.paid",
      async () => {
        throw new Error("ledger down");
      },
      { name: "book-revenue", retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } },
    );
    await inbox.start();
    server = createInboxServer({
      receive: inbox.receive,
      readiness: inbox.readiness,
      log: silentLogger,
      metrics: inbox.metrics,
    });
    const base = await listen(server);
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${base}/webhooks/stripe`, { method: "POST", headers, body });

    const customer = eventBody({ type: "customer.created" });
    const invoice = eventBody({ type: "invoice.paid" });
    expect((await post(customer, signedHeaders(customer))).status).toBe(200);
    expect((await post(invoice, signedHeaders(invoice))).status).toBe(200);
    expect((await post(customer, signedHeaders(customer))).status).toBe(200);
    expect((await post(customer, signedHeaders(customer, "whsec_some_other_secret_0123456789"))).status).toBe(400);
    const malformed = '{"id": "evt_1", "object": "event",';
    expect((await post(malformed, signedHeaders(malformed))).status).toBe(400);

    const scrape = async () => {
      const response = await fetch(`${base}/metrics`);
      expect(response.headers.get("content-type")).toContain("text/plain");
      return response.text();
    };
    // The welcome email succeeds; book-revenue fails once (a retry), then is dead-lettered.
    let text = await scrape();
    for (let waited = 0; sample(text, "stripe_inbox_runs", { status: "dead" }) !== 1 && waited < 15_000; waited += 50) {
      await sleep(50);
      text = await scrape();
    }
    expect(sample(text, "stripe_inbox_deliveries_total", { outcome: "stored", reason: "" })).toBe(2);
    expect(sample(text, "stripe_inbox_deliveries_total", { outcome: "duplicate", reason: "" })).toBe(1);
    expect(sample(text, "stripe_inbox_deliveries_total", { outcome: "rejected", reason: "signature_mismatch" })).toBe(
      1,
    );
    expect(sample(text, "stripe_inbox_deliveries_total", { outcome: "rejected", reason: "payload_malformed" })).toBe(1);
    expect(sample(text, "stripe_inbox_ack_latency_seconds_count")).toBe(3);
    expect(sample(text, "stripe_inbox_ack_latency_seconds_bucket", { le: "+Inf" })).toBe(3);
    // Rejected attempts are logged too: five deliveries went through the group commit.
    expect(sample(text, "stripe_inbox_group_commit_batch_size_sum")).toBe(5);
    expect(sample(text, "stripe_inbox_handler_runs_total", { handler: "welcome-email", outcome: "succeeded" })).toBe(1);
    expect(sample(text, "stripe_inbox_handler_runs_total", { handler: "book-revenue", outcome: "failed" })).toBe(1);
    expect(sample(text, "stripe_inbox_handler_runs_total", { handler: "book-revenue", outcome: "dead" })).toBe(1);
    expect(sample(text, "stripe_inbox_handler_retries_total", { handler: "book-revenue" })).toBe(1);
    expect(
      sample(text, "stripe_inbox_handler_duration_seconds_count", { handler: "welcome-email", result: "returned" }),
    ).toBe(1);
    expect(
      sample(text, "stripe_inbox_handler_duration_seconds_count", { handler: "book-revenue", result: "threw" }),
    ).toBe(2);
    expect(sample(text, "stripe_inbox_runs", { status: "dead" })).toBe(1);
    expect(sample(text, "stripe_inbox_runs", { status: "pending" })).toBe(0);
    expect(sample(text, "stripe_inbox_events_awaiting_fan_out")).toBe(0);
    expect(sample(text, "stripe_inbox_oldest_pending_age_seconds")).toBe(0);
    expect(sample(text, "stripe_inbox_store_scrape_ok")).toBe(1);
    expect(text).not.toContain(SECRET);
  });

  it("reports the pending depth and the oldest pending event's age while no worker runs", async () => {
    db = await openWorkerTestDb(engine);
    inbox = createInbox({ secret: SECRET, ...db.config, workers: false });
    await inbox.start();
    for (let i = 0; i < 3; i++) {
      const body = eventBody();
      const response = await inbox.fetch(
        new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
      );
      expect(response.status).toBe(200);
    }
    await sleep(1_100);
    const text = await inbox.metrics.scrape();
    expect(sample(text, "stripe_inbox_events_awaiting_fan_out")).toBe(3);
    expect(sample(text, "stripe_inbox_oldest_pending_age_seconds")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "stripe_inbox_oldest_pending_age_seconds")).toBeLessThan(30);
  });
});

describe("/metrics", () => {
  it("keeps two inboxes in one process apart", async () => {
    const dirs = [tempDir(), tempDir()];
    const [first, second] = dirs.map((dataDir) => createInbox({ secret: SECRET, dataDir, workers: false }));
    if (!first || !second) throw new Error("two inboxes");
    first.metrics.deliveryAnswered("rejected", "signature_missing", 0);
    const one = await first.metrics.registry.metrics();
    const other = await second.metrics.registry.metrics();
    expect(sample(one, "stripe_inbox_deliveries_total", { outcome: "rejected", reason: "signature_missing" })).toBe(1);
    expect(sample(other, "stripe_inbox_deliveries_total", { outcome: "rejected", reason: "signature_missing" })).toBe(
      undefined,
    );
  });

  it("counts deliveries answered 503 while the database is down", async () => {
    // A port nothing listens on: connections are refused at once.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const inbox = createInbox({
      secret: SECRET,
      database: `postgres://postgres@127.0.0.1:${port}/test`,
      workers: false,
    });
    try {
      const body = eventBody();
      const response = await inbox.fetch(
        new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
      );
      expect(response.status).toBe(503);
      const text = await inbox.metrics.registry.metrics();
      expect(
        sample(text, "stripe_inbox_deliveries_total", { outcome: "unavailable", reason: "store_unavailable" }),
      ).toBe(1);
      expect(sample(text, "stripe_inbox_ack_latency_seconds_count")).toBe(0);
    } finally {
      await inbox.stop();
    }
  });

  it("answers within its timeout, without the queue gauges, when the database does not answer", async () => {
    // A port that accepts connections and never says a word: the worst kind of database outage.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const inbox = createInbox({
      secret: SECRET,
      database: `postgres://postgres@127.0.0.1:${port}/test`,
      workers: false,
    });
    try {
      const started = Date.now();
      const text = await inbox.metrics.scrape();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(sample(text, "stripe_inbox_store_scrape_ok")).toBe(0);
      expect(sample(text, "stripe_inbox_runs", { status: "dead" })).toBe(undefined);
      expect(text).toContain("stripe_inbox_deliveries_total");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await inbox.stop();
    }
  });
});
