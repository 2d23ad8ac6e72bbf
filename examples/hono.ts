// The inbox as a Hono route, served on Node by @hono/node-server. On other fetch runtimes (Bun, Deno,
// workers) pass `app.fetch` to the runtime instead; the handler is the same.
// Run: npm run build && STRIPE_WEBHOOK_SECRET=whsec_... DATABASE_URL=postgres://... npx tsx examples/hono.ts
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createInbox } from "stripe-inbox";
import { honoWebhook } from "stripe-inbox/hono";

const inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
  database: process.env.DATABASE_URL, // unset: embedded PGlite in ./.stripe-inbox
});

const app = new Hono();
app.post("/webhooks/stripe", honoWebhook(inbox));
app.post("/api/orders", async (c) => c.json({ ok: true, order: await c.req.json() }));

await inbox.start();
const port = Number(process.env.PORT ?? 4242);
const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () =>
  console.log(`POST http://127.0.0.1:${port}/webhooks/stripe`),
);
process.once("SIGINT", () => server.close(() => void inbox.stop()));
