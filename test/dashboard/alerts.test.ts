import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAlerts } from "../../src/dashboard/alerts.js";
import type { HealthSample } from "../../src/dashboard/health-history.js";
import { silentLogger } from "../../src/log.js";
import { replay } from "../../src/worker/replay.js";
import { eventBody, signedHeaders } from "../support/events.js";
import { listen } from "../support/servers.js";
import { tempDir } from "../support/stores.js";
import { deliver, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";
import { type DashboardServer, startDashboardServer } from "./support.js";

/** A Slack-style incoming webhook on 127.0.0.1 that keeps what it is sent. */
async function startAlertReceiver(): Promise<{ url: string; texts: string[]; server: Server }> {
  const texts: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      texts.push((JSON.parse(body) as { text: string }).text);
      res.end("ok");
    });
  });
  return { url: `${await listen(server)}/services/T000/B000/XXXX`, texts, server };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await sleep(25);
  }
}

describe("alerts", () => {
  let db: WorkerTestDb | undefined;
  let running: DashboardServer | undefined;
  let receiver: Server | undefined;
  afterEach(async () => {
    await running?.close();
    await db?.cleanup();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(null)));
  });

  it("sends one message for a storm of dead letters, and one when they are replayed", async () => {
    const alerts = await startAlertReceiver();
    receiver = alerts.server;
    db = await openWorkerTestDb("pglite");
    let ledgerDown = true;
    running = await startDashboardServer(
      // Ten failures in a row would also trip the circuit breaker; this test is about dead letters.
      { ...db.config, workers: { pollMs: 20, pauseAfterFailures: false } },
      {
        sampleEveryMs: 100,
        alerts: createAlerts({ destination: alerts.url, log: silentLogger }),
      },
      (inbox) =>
        inbox.on(
          "invoice.paid",
          async () => {
            if (ledgerDown) throw new Error("ledger down");
          },
          { name: "book-revenue", retry: { maxAttempts: 1 } },
        ),
    );
    const { inbox } = running;
    for (let i = 0; i < 10; i++) {
      await deliver(inbox, eventBody({ type: "invoice.paid" }));
      await sleep(60);
    }
    await waitFor(() => alerts.texts.length >= 1);
    await sleep(500);
    expect(alerts.texts).toHaveLength(1);
    expect(alerts.texts[0]).toMatch(/^stripe-inbox: \d+ handler run\(s\) dead-lettered/);
    expect(alerts.texts[0]).toContain("replay --dead");

    ledgerDown = false;
    expect((await replay(await inbox.store(), { statuses: ["dead"] })).runs).toBe(10);
    await waitFor(() => alerts.texts.length >= 2);
    expect(alerts.texts[1]).toBe("stripe-inbox: No dead-lettered runs are left.");
    await sleep(300);
    expect(alerts.texts).toHaveLength(2);
  });

  it("runs a command with the message on a rejection spike, and on recovery", async () => {
    db = await openWorkerTestDb("pglite");
    const log = join(tempDir(), "alerts.log");
    running = await startDashboardServer(
      { ...db.config, workers: false },
      { sampleEveryMs: 1_000, alerts: createAlerts({ destination: `cat >> '${log}'`, log: silentLogger }) },
    );
    const { base } = running;
    // A rotated secret: every delivery is signed with one this server does not know.
    await Promise.all(
      Array.from({ length: 8 }, () => {
        const body = eventBody();
        return fetch(`${base}/webhooks/stripe`, {
          method: "POST",
          headers: signedHeaders(body, "whsec_rotated_in_the_dashboard_0000"),
          body,
        });
      }),
    );
    const lines = () => {
      try {
        return readFileSync(log, "utf8")
          .split("\n")
          .filter((line) => line !== "");
      } catch {
        return [];
      }
    };
    await waitFor(() => lines().length >= 2);
    // Eight at once usually fall in one sample; five suffice for a spike.
    expect(lines()[0]).toMatch(/^stripe-inbox: (\d) of \1 deliveries rejected in \d+ s \(signature_mismatch \1\)/);
    expect(lines()[0]).toContain("STRIPE_WEBHOOK_SECRET");
    expect(lines()[1]).toBe("stripe-inbox: Deliveries are accepted again.");
  });

  it("says when the oldest pending event is older than the threshold", async () => {
    const alerts = await startAlertReceiver();
    receiver = alerts.server;
    db = await openWorkerTestDb("pglite");
    running = await startDashboardServer(
      { ...db.config, workers: false },
      {
        sampleEveryMs: 100,
        alerts: createAlerts({ destination: alerts.url, log: silentLogger, thresholds: { oldestPendingSeconds: 1 } }),
      },
    );
    await deliver(running.inbox, eventBody());
    await waitFor(() => alerts.texts.length >= 1);
    expect(alerts.texts[0]).toMatch(
      /^stripe-inbox: The oldest pending event waits for \d+ s \(threshold 1 s\), 1 pending/,
    );
    // Not before the threshold: a sample just under it sends nothing, one just over it does.
    const sent = alerts.texts.length;
    const sender = createAlerts({
      destination: alerts.url,
      log: silentLogger,
      thresholds: { oldestPendingSeconds: 1 },
    });
    const waiting = (oldestPendingSeconds: number): HealthSample => ({
      at: new Date().toISOString(),
      intervalSeconds: 1,
      deliveries: 0,
      rejections: {},
      pending: 1,
      oldestPendingSeconds,
      dead: 0,
      handlerFailures: 0,
      ackP99Seconds: null,
    });
    sender.observe(waiting(0.9));
    await sender.flush();
    expect(alerts.texts).toHaveLength(sent);
    sender.observe(waiting(1.1));
    await sender.flush();
    expect(alerts.texts).toHaveLength(sent + 1);
  });

  it("sends no more than its hourly limit however long a condition lasts", async () => {
    const alerts = await startAlertReceiver();
    receiver = alerts.server;
    let clock = 0;
    const sender = createAlerts({
      destination: alerts.url,
      log: silentLogger,
      repeatAfterMs: 1_000,
      maxPerHour: 3,
      now: () => clock,
    });
    const unreachable: HealthSample = {
      at: new Date().toISOString(),
      intervalSeconds: 10,
      deliveries: 0,
      rejections: {},
      pending: null,
      oldestPendingSeconds: null,
      dead: null,
      handlerFailures: 0,
      ackP99Seconds: null,
    };
    for (let i = 0; i < 50; i++) {
      clock += 10_000;
      sender.observe(unreachable);
    }
    await sender.flush();
    expect(alerts.texts).toHaveLength(3);
    expect(alerts.texts[0]).toContain("The database did not answer");
  });
});
