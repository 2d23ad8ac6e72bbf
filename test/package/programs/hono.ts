// stripe-inbox/hono in a Hono app, served on Node by @hono/node-server.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createInbox } from "stripe-inbox";
import { honoWebhook } from "stripe-inbox/hono";

const inbox = createInbox({ secret: "whsec_test" });
const app = new Hono();
app.post("/webhooks/stripe", honoWebhook(inbox));
app.post("/api/orders", async (c) => c.json({ order: await c.req.json() }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
server.close(() => void inbox.stop());
