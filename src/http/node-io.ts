import type { IncomingMessage, ServerResponse } from "node:http";
import { checkDeclaredLength, collectBody, type IncomingDelivery, type WebhookReply } from "./delivery.js";
import type { WebhookReceiver } from "./receive.js";

/**
 * The receiver as a node:http handler. It reads the stream itself instead of building a web Request, which would
 * cost a copy of the headers and body per delivery on the hottest path.
 */
export function nodeHandler(receive: WebhookReceiver): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    writeReply(res, await receive(fromNodeRequest(req)));
  };
}

export function fromNodeRequest(
  req: IncomingMessage,
  readBody: IncomingDelivery["readBody"] = (limit, onBytes) => readNodeBody(req, limit, onBytes),
): IncomingDelivery {
  return {
    method: req.method ?? "GET",
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(",") : (value ?? null);
    },
    sourceAddress: req.socket?.remoteAddress ?? null,
    readBody,
  };
}

export async function readNodeBody(
  req: IncomingMessage,
  limit: number,
  onBytes?: (total: number) => void,
): Promise<Uint8Array> {
  checkDeclaredLength(req.headers["content-length"], limit);
  return collectBody(req, limit, onBytes);
}

export function writeReply(res: ServerResponse, reply: WebhookReply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
