import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, eventId, SECRET, signedHeaders } from "../support/events.js";
import { listen } from "../support/servers.js";
import { openTestStore, type TestStore } from "../support/stores.js";

/** Recorded-style answers of the Stripe API's event endpoints, served on 127.0.0.1. */
function fakeEventsApi() {
  const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    const id = (req.url ?? "").split("/").pop()?.split("?")[0] ?? "";
    const body = req.url?.startsWith("/v2/core/events/")
      ? {
          id,
          object: "v2.core.event",
          type: "v1.billing.meter.no_meter_found",
          data: { developer_message_summary: "no meter" },
        }
      : { id, object: "event", type: "customer.updated", data: { object: { id: "cus_1", object: "customer" } } };
    res.writeHead(200, { "content-type": "application/json", "request-id": "req_test" });
    res.end(JSON.stringify(body));
  });
  return { server, requests };
}

describe("thin events and ctx.fetchEvent", () => {
  let db: TestStore;
  let inbox: Inbox;
  const api = fakeEventsApi();
  const fetched: unknown[] = [];

  beforeAll(async () => {
    const base = await listen(api.server);
    db = await openTestStore("postgres");
    await db.store.close();
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      stripe: { apiKey: "sk_test_123", apiBase: base },
      workers: { pollMs: 50 },
    });
    inbox.on(
      "v1.billing.meter.no_meter_found",
      async (_event, ctx) => {
        fetched.push(await ctx.fetchEvent());
      },
      { name: "meter-errors" },
    );
    inbox.on(
      "customer.updated",
      async (_event, ctx) => {
        fetched.push(await ctx.fetchEvent());
      },
      { name: "customers" },
    );
    await inbox.start();
  });
  afterAll(async () => {
    await inbox.stop();
    await db.cleanup();
    await new Promise((resolve) => api.server.close(resolve));
  });

  const deliver = async (body: string) => {
    const request = new Request("http://inbox.test/webhooks/stripe", {
      method: "POST",
      headers: signedHeaders(body),
      body,
    });
    expect((await inbox.fetch(request)).status).toBe(200);
  };

  it("dispatches a thin event by type and loads the full event from /v2/core/events", async () => {
    const id = eventId();
    await deliver(
      JSON.stringify({
        id,
        object: "v2.core.event",
        type: "v1.billing.meter.no_meter_found",
        created: new Date().toISOString(),
        livemode: false,
        context: "acct_thin",
        reason: null,
      }),
    );
    await expect.poll(() => fetched.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(fetched[0]).toMatchObject({ id, object: "v2.core.event" });
    const call = api.requests.find((request) => request.url.startsWith(`/v2/core/events/${id}`));
    expect(call?.headers.authorization).toBe("Bearer sk_test_123");
    expect(call?.headers["stripe-context"]).toBe("acct_thin");
  });

  it("loads a Connect snapshot event on behalf of its account", async () => {
    const body = eventBody({ type: "customer.updated", account: "acct_connected" });
    await deliver(body);
    const { id } = JSON.parse(body);
    await expect
      .poll(() => api.requests.some((request) => request.url.startsWith(`/v1/events/${id}`)), { timeout: 10_000 })
      .toBe(true);
    const call = api.requests.find((request) => request.url.startsWith(`/v1/events/${id}`));
    expect(call?.headers["stripe-account"]).toBe("acct_connected");
  });
});
