import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe } from "vitest";
import { createInbox, type Inbox } from "../../../src/create-inbox.js";
import { nodeWebhook } from "../../../src/http/adapters/node.js";
import { SECRET } from "../../support/events.js";
import { listen } from "../../support/servers.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { BODY_LIMIT, itKeepsTheWebhookContract, type MountedWebhook } from "./contract.js";

describe("a node:http server of the application's own", () => {
  let db: TestStore;
  let inbox: Inbox;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    db = await openTestStore("postgres");
    inbox = createInbox({ secret: SECRET, ...db.config, receive: { maxBodyBytes: BODY_LIMIT } });
    const core = inbox.node();
    const subpath = nodeWebhook(inbox);
    server = createServer((req, res) => {
      if (req.url === "/core/webhooks/stripe") return void core(req, res);
      if (req.url === "/subpath/webhooks/stripe") return void subpath(req, res);
      res.writeHead(404).end();
    });
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

  describe("with inbox.node()", () => {
    itKeepsTheWebhookContract(mountedAt("core"));
  });

  describe("with nodeWebhook(inbox) from stripe-inbox/node", () => {
    itKeepsTheWebhookContract(mountedAt("subpath"));
  });
});
