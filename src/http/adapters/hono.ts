import type { Inbox } from "../../create-inbox.js";

/** What the handler reads of Hono's context: the web Request, untouched (no `hono` import in the declarations). */
export interface HonoLikeContext {
  req: { raw: Request };
}

/** `stripe-inbox/hono`: `app.post("/webhooks/stripe", honoWebhook(inbox))`. Hono's request is already a web Request. */
export function honoWebhook(inbox: Inbox): (context: HonoLikeContext) => Promise<Response> {
  return (context) => inbox.fetch(context.req.raw);
}
