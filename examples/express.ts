// The inbox as an Express 5 route.
// Run: npm run build && STRIPE_WEBHOOK_SECRET=whsec_... DATABASE_URL=postgres://... npx tsx examples/express.ts
import express from "express";
import { createInbox } from "stripe-inbox";
import { expressWebhook } from "stripe-inbox/express";

const inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
  database: process.env.DATABASE_URL, // unset: embedded PGlite in ./.stripe-inbox
});

const app = express();
// Before express.json(): the signature covers the exact bytes Stripe sent, which a JSON parser would consume.
app.post("/webhooks/stripe", expressWebhook(inbox));
app.use(express.json());
app.post("/api/orders", (req, res) => {
  res.json({ ok: true, order: req.body });
});

await inbox.start();
const port = Number(process.env.PORT ?? 4242);
const server = app.listen(port, "127.0.0.1", () => console.log(`POST http://127.0.0.1:${port}/webhooks/stripe`));
process.once("SIGINT", () => server.close(() => void inbox.stop()));
