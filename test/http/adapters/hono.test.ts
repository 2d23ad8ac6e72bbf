import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../../src/create-inbox.js";
import { honoWebhook } from "../../../src/http/adapters/hono.js";
import { SECRET } from "../../support/events.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { BODY_LIMIT, itKeepsTheWebhookContract, type MountedWebhook } from "./contract.js";

describe("honoWebhook(inbox) on a Hono app served by @hono/node-server", () => {
  let db: TestStore;
  let inbox: Inbox;
  let server: Server;
  let base: string;
  let mounted: MountedWebhook;

  beforeAll(async () => {
    db = await openTestStore("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, receive: { maxBodyBytes: BODY_LIMIT } });
    const app = new Hono();
    app.all("/webhooks/stripe", honoWebhook(inbox));
    app.post("/api/echo", async (c) => c.json({ echoed: await c.req.json() }));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve()) as Server;
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mounted = { url: `${base}/webhooks/stripe`, db, limit: BODY_LIMIT };
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await inbox?.stop();
    await db?.cleanup();
  });

  itKeepsTheWebhookContract(() => mounted);

  it("leaves the app's other routes reading JSON as usual", async () => {
    const response = await fetch(`${base}/api/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ plan: "pro" }),
    });
    expect(await response.json()).toEqual({ echoed: { plan: "pro" } });
  });
});
