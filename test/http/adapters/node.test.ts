import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe } from "vitest";
import { createInbox, type Inbox } from "../../../src/create-inbox.js";
import { SECRET } from "../../support/events.js";
import { listen } from "../../support/servers.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { BODY_LIMIT, itKeepsTheWebhookContract, type MountedWebhook } from "./contract.js";

describe("inbox.node() in a node:http server of the application's own", () => {
  let db: TestStore;
  let inbox: Inbox;
  let server: Server;
  let mounted: MountedWebhook;

  beforeAll(async () => {
    db = await openTestStore("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, maxBodyBytes: BODY_LIMIT });
    const webhook = inbox.node();
    server = createServer((req, res) => {
      if (req.url === "/webhooks/stripe") return void webhook(req, res);
      res.writeHead(404).end();
    });
    mounted = { url: `${await listen(server)}/webhooks/stripe`, db, limit: BODY_LIMIT };
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await inbox?.stop();
    await db?.cleanup();
  });

  itKeepsTheWebhookContract(() => mounted);
});
