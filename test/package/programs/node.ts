// stripe-inbox/node mounted on node:http, with only Node's types installed.
import { createServer } from "node:http";
import { createInbox } from "stripe-inbox";
import { nodeWebhook } from "stripe-inbox/node";

const inbox = createInbox({ secret: "whsec_test" });
const webhook = nodeWebhook(inbox);
const server = createServer((req, res) => {
  if (req.url === "/webhooks/stripe") void webhook(req, res);
  else res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => server.close(() => void inbox.stop()));
