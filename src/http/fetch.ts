import { checkDeclaredLength, collectBody, type IncomingDelivery, type WebhookReply } from "./delivery.js";
import type { WebhookReceiver } from "./receive.js";

/** The web-standard core: `(Request) => Promise<Response>`, for fetch runtimes, Hono and Next.js. */
export function createFetchHandler(receive: WebhookReceiver): (request: Request) => Promise<Response> {
  return async (request) => toResponse(await receive(fromRequest(request)));
}

export function fromRequest(request: Request, sourceAddress: string | null = null): IncomingDelivery {
  return {
    method: request.method,
    header: (name) => request.headers.get(name),
    sourceAddress,
    async readBody(limit, onBytes) {
      checkDeclaredLength(request.headers.get("content-length"), limit);
      if (!request.body) return new Uint8Array(0);
      return collectBody(request.body as unknown as AsyncIterable<Uint8Array>, limit, onBytes);
    },
  };
}

export function toResponse(reply: WebhookReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
