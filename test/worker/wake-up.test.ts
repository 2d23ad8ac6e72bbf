import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { openTestStore, type TestStore } from "../support/stores.js";

describe("waking workers in another process with LISTEN/NOTIFY (Postgres)", () => {
  let db: TestStore;
  let receiver: Inbox;
  let worker: Inbox;
  const started: Array<{ id: string; at: number }> = [];

  beforeAll(async () => {
    db = await openTestStore("postgres");
    receiver = createInbox({ secret: SECRET, ...db.config, workers: false });
    await receiver.start();
    // Polling is set far beyond the test's patience: only a notification can start the handler in time.
    worker = createInbox({ ...db.config, workers: { pollMs: 600_000 } });
    worker.on(
      "customer.created",
      async (event) => {
        started.push({ id: event.id, at: Date.now() });
      },
      { name: "timed" },
    );
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.stop();
    await db.cleanup();
  });

  it("starts the handler within moments of the ack, without waiting for a poll", async () => {
    // Let the LISTEN connection settle and the worker finish its first, empty round.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const body = eventBody();
    const request = new Request("http://inbox.test/webhooks/stripe", {
      method: "POST",
      headers: signedHeaders(body),
      body,
    });
    const response = await receiver.fetch(request);
    const ackedAt = Date.now();
    expect(response.status).toBe(200);
    await expect.poll(() => started.length, { timeout: 5_000, interval: 5 }).toBe(1);
    expect(started[0]?.id).toBe(JSON.parse(body).id);
    expect((started[0]?.at ?? Number.POSITIVE_INFINITY) - ackedAt).toBeLessThan(2_000);
  });
});
