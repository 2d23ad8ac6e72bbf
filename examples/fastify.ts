// The inbox as a Fastify 5 plugin. It owns the route /webhooks/stripe (`fastifyWebhook(inbox, { path })` changes it) and reads
// the raw body inside its own encapsulated context, so the rest of the app keeps Fastify's JSON parser.
// Run: npm run build && STRIPE_WEBHOOK_SECRET=whsec_... DATABASE_URL=postgres://... npx tsx examples/fastify.ts
import Fastify from "fastify";
import { createInbox } from "stripe-inbox";
import { fastifyWebhook } from "stripe-inbox/fastify";

const inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
  database: process.env.DATABASE_URL, // unset: embedded PGlite in ./.stripe-inbox
});

const app = Fastify({ logger: true });
await app.register(fastifyWebhook(inbox));
app.post("/api/orders", async (request) => ({ ok: true, order: request.body }));
app.addHook("onClose", () => inbox.stop());

await inbox.start();
await app.listen({ port: Number(process.env.PORT ?? 4242), host: "127.0.0.1" });
process.once("SIGINT", () => void app.close());
