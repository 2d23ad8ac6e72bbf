import type { FastifyPluginAsync } from "fastify";
import { checkDeclaredLength, collectBody } from "../delivery.js";
import type { WebhookReceiver } from "../receive.js";
import { fromNodeRequest } from "./node.js";

/**
 * Fastify plugin: `app.register(inbox.fastify())`. Inside its own encapsulated context it replaces Fastify's
 * JSON parser with a pass-through, so the handler reads the exact bytes Stripe signed and applies our limit.
 */
export function fastifyAdapter(receive: WebhookReceiver, path: string): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    app.all(path, async (request, reply) => {
      // Without a Content-Type Fastify runs no parser and the body is still unread on request.raw.
      const stream = (request.body ?? request.raw) as AsyncIterable<Uint8Array>;
      const readBody = async (limit: number) => {
        checkDeclaredLength(request.headers["content-length"], limit);
        return collectBody(stream, limit);
      };
      const answer = await receive(fromNodeRequest(request.raw, readBody));
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}
