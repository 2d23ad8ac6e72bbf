import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../../src/create-inbox.js";
import { expressWebhook } from "../../../src/http/adapters/express.js";
import { eventBody, SECRET, signedHeaders } from "../../support/events.js";
import { listen } from "../../support/servers.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { BODY_LIMIT, eventRows, itKeepsTheWebhookContract, type MountedWebhook, post } from "./contract.js";

describe("expressWebhook(inbox) on Express 5", () => {
  let db: TestStore;
  let inbox: Inbox;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    db = await openTestStore("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, receive: { maxBodyBytes: BODY_LIMIT } });
    const app = express();
    // Three mounts of one inbox: with no body parser, behind express.raw(), and after express.json() (the mistake).
    app.all("/plain/webhooks/stripe", expressWebhook(inbox));
    app.all("/raw/webhooks/stripe", express.raw({ type: "*/*", limit: "1mb" }), expressWebhook(inbox));
    app.use(express.json());
    app.all("/parsed/webhooks/stripe", expressWebhook(inbox));
    app.post("/api/echo", (req, res) => {
      res.json({ echoed: req.body });
    });
    server = app.listen(0, "127.0.0.1");
    base = await listen(server);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await inbox?.stop();
    await db?.cleanup();
  });

  const mountedAt = (prefix: string) => (): MountedWebhook => ({
    url: `${base}/${prefix}/webhooks/stripe`,
    db,
    limit: BODY_LIMIT,
  });

  describe("mounted with no body parser", () => {
    itKeepsTheWebhookContract(mountedAt("plain"));
  });

  describe("mounted after express.raw({ type: '*/*' })", () => {
    itKeepsTheWebhookContract(mountedAt("raw"));
  });

  describe("mounted after express.json()", () => {
    it("answers 400 signature_mismatch saying the body was parsed and re-serialised, and stores nothing", async () => {
      const body = eventBody();
      const { id } = JSON.parse(body) as { id: string };
      const answer = await post(`${base}/parsed/webhooks/stripe`, body, signedHeaders(body));
      expect(answer.status).toBe(400);
      expect(answer.json.error?.code).toBe("signature_mismatch");
      expect(answer.json.error?.message).toMatch(/parsed and re-serialised/);
      expect(answer.json.error?.message).toContain("express.json()");
      expect(await eventRows(db, id)).toBe(0);
    });

    it("leaves express.json() parsing the app's other routes", async () => {
      const answer = await post(`${base}/api/echo`, JSON.stringify({ plan: "pro" }), {
        "content-type": "application/json",
      });
      expect(answer.json).toEqual({ echoed: { plan: "pro" } });
    });
  });
});
