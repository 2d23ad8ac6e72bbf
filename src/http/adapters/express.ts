import type { RequestHandler } from "express";
import { checkDeclaredLength } from "../delivery.js";
import type { WebhookReceiver } from "../receive.js";
import { fromNodeRequest, readNodeBody, writeReply } from "./node.js";

/**
 * Express adapter: `app.post("/webhooks/stripe", inbox.express())`. Reads the raw stream, or takes the Buffer
 * left by `express.raw()`. If `express.json()` ran first, the bytes Stripe signed are gone: the parsed body is
 * passed on so verification fails with an answer that says so.
 */
export function expressAdapter(receive: WebhookReceiver): RequestHandler {
  return (req, res, next) => {
    const readBody = async (limit: number): Promise<Uint8Array> => {
      const parsed: unknown = req.body;
      if (Buffer.isBuffer(parsed) || typeof parsed === "string") {
        const bytes = Buffer.isBuffer(parsed) ? parsed : Buffer.from(parsed);
        checkDeclaredLength(String(bytes.byteLength), limit);
        return bytes;
      }
      if (parsed !== undefined && req.complete) return Buffer.from(JSON.stringify(parsed));
      return readNodeBody(req, limit);
    };
    receive(fromNodeRequest(req, readBody)).then((reply) => writeReply(res, reply), next);
  };
}
