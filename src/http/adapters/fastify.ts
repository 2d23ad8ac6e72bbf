import type { FastifyPluginAsync } from "fastify";
import type { Inbox } from "../../create-inbox.js";
import { checkDeclaredLength, collectBody } from "../delivery.js";
import { fromNodeRequest } from "../node-io.js";

export interface FastifyWebhookOptions {
  /** The route the plugin serves; the inbox's `receive.path` (`/webhooks/stripe`) by default. */
  path?: string | undefined;
}

/**
 * `stripe-inbox/fastify`: `await app.register(fastifyWebhook(inbox))`. Inside its own encapsulated context it
 * replaces Fastify's JSON parser with a pass-through, so the handler reads the exact bytes Stripe signed and
 * applies our limit; the rest of the app keeps parsing JSON.
 */
export function fastifyWebhook(inbox: Inbox, options: FastifyWebhookOptions = {}): FastifyPluginAsync {
  const path = options.path ?? inbox.path;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    app.all(path, async (request, reply) => {
      // Without a Content-Type Fastify runs no parser and the body is still unread on request.raw.
      const stream = (request.body ?? request.raw) as AsyncIterable<Uint8Array>;
      const readBody = async (limit: number, onBytes?: (total: number) => void) => {
        checkDeclaredLength(request.headers["content-length"], limit);
        return collectBody(stream, limit, onBytes);
      };
      const answer = await inbox.receive(fromNodeRequest(request.raw, readBody));
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}
