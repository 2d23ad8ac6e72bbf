import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInbox, type Inbox, type InboxOptions } from "../../src/create-inbox.js";
import { createInboxServer } from "../../src/http/server.js";
import { silentLogger } from "../../src/log.js";
import { SECRET } from "./events.js";

export interface RunningInbox {
  inbox: Inbox;
  url: string;
  close(): Promise<void>;
}

/** The standalone server on 127.0.0.1 and a free port, as `serve` runs it. */
export async function startInboxServer(
  options: Partial<InboxOptions> & Pick<InboxOptions, "dataDir">,
): Promise<RunningInbox> {
  const inbox = createInbox({ secret: SECRET, ...options });
  const server = createInboxServer({ receive: inbox.receive, readiness: inbox.readiness, log: silentLogger });
  const base = await listen(server);
  return {
    inbox,
    url: `${base}/webhooks/stripe`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await inbox.stop();
    },
  };
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
