import type { IncomingMessage, ServerResponse } from "node:http";
import type { Inbox } from "../../create-inbox.js";
import { nodeHandler } from "../node-io.js";

/**
 * `stripe-inbox/node`: the inbox as a node:http handler, for `http.createServer(nodeWebhook(inbox))` or a router of
 * your own. The same as `inbox.node()`.
 */
export function nodeWebhook(inbox: Inbox): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return nodeHandler(inbox.receive);
}
