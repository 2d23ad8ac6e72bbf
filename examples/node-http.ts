// The inbox mounted in a node:http server of your own.
// Run: npm run build && STRIPE_WEBHOOK_SECRET=whsec_... DATABASE_URL=postgres://... npx tsx examples/node-http.ts
import { createServer } from "node:http";
import { createInbox } from "stripe-inbox";

const inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
  database: process.env.DATABASE_URL, // unset: embedded PGlite in ./.stripe-inbox
});
const webhook = inbox.node();

const server = createServer((req, res) => {
  if (req.url === "/webhooks/stripe") {
    webhook(req, res).catch(() => res.writeHead(500).end());
    return;
  }
  res.writeHead(404).end();
});

await inbox.start();
const port = Number(process.env.PORT ?? 4242);
server.listen(port, "127.0.0.1", () => console.log(`POST http://127.0.0.1:${port}/webhooks/stripe`));
process.once("SIGINT", () => server.close(() => void inbox.stop()));
