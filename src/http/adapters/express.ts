import type { IncomingMessage, ServerResponse } from "node:http";
import type { Inbox } from "../../create-inbox.js";
import { checkDeclaredLength } from "../delivery.js";
import { fromNodeRequest, readNodeBody, writeReply } from "../node-io.js";

/**
 * What the handler reads of Express's request. Express's own `Request` is one, so the declarations need no
 * `@types/express`, and Express 4 and 5 both fit.
 */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
}

export type ExpressWebhookHandler = (
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * `stripe-inbox/express`: `app.post("/webhooks/stripe", expressWebhook(inbox))`. Reads the raw stream, or takes
 * the Buffer left by `express.raw()`. If `express.json()` ran first, the bytes Stripe signed are gone: the parsed
 * body is passed on so verification fails with an answer that says so.
 */
export function expressWebhook(inbox: Inbox): ExpressWebhookHandler {
  return (req, res, next) => {
    const readBody = async (limit: number, onBytes?: (total: number) => void): Promise<Uint8Array> => {
      const parsed = req.body;
      if (Buffer.isBuffer(parsed) || typeof parsed === "string") {
        const bytes = Buffer.isBuffer(parsed) ? parsed : Buffer.from(parsed);
        checkDeclaredLength(String(bytes.byteLength), limit);
        onBytes?.(bytes.byteLength);
        return bytes;
      }
      if (parsed !== undefined && req.complete) return Buffer.from(JSON.stringify(parsed));
      return readNodeBody(req, limit, onBytes);
    };
    inbox.receive(fromNodeRequest(req, readBody)).then((reply) => writeReply(res, reply), next);
  };
}
