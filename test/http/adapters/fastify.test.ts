import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../../src/create-inbox.js";
import { fastifyWebhook } from "../../../src/http/adapters/fastify.js";
import { eventBody, SECRET, signedHeaders } from "../../support/events.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { BODY_LIMIT, eventRows, itKeepsTheWebhookContract, type MountedWebhook, post } from "./contract.js";

describe("fastifyWebhook(inbox) registered on a Fastify 5 app that parses JSON elsewhere", () => {
  let db: TestStore;
  let inbox: Inbox;
  let app: FastifyInstance;
  let base: string;
  let mounted: MountedWebhook;

  beforeAll(async () => {
    db = await openTestStore("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, receive: { maxBodyBytes: BODY_LIMIT } });
    app = Fastify();
    app.post("/api/echo", async (request) => ({ echoed: request.body }));
    await app.register(fastifyWebhook(inbox));
    base = await app.listen({ port: 0, host: "127.0.0.1" });
    mounted = { url: `${base}/webhooks/stripe`, db, limit: BODY_LIMIT };
  });
  afterAll(async () => {
    await app?.close();
    await inbox?.stop();
    await db?.cleanup();
  });

  itKeepsTheWebhookContract(() => mounted);

  it("stores an event sent with no Content-Type header", async () => {
    const body = eventBody();
    const { id } = JSON.parse(body) as { id: string };
    const { "stripe-signature": signature = "" } = signedHeaders(body);
    const answer = await post(mounted.url, body, { "stripe-signature": signature });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ received: true, id, duplicate: false });
    expect(await eventRows(db, id)).toBe(1);
  });

  it("answers a chunked body over the limit with 413", async () => {
    // No Content-Length to reject early: the limit must hold while the stream is read.
    const body = eventBody({ padding: "x".repeat(BODY_LIMIT) });
    const response = await fetch(mounted.url, {
      method: "POST",
      headers: signedHeaders(body),
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("leaves Fastify's JSON parser in place for the app's other routes", async () => {
    const answer = await post(`${base}/api/echo`, JSON.stringify({ plan: "pro" }), {
      "content-type": "application/json",
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ echoed: { plan: "pro" } });
  });
});
