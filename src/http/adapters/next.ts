import type { Inbox } from "../../create-inbox.js";

/**
 * `stripe-inbox/next`: an App Router route handler. In `app/webhooks/stripe/route.ts`,
 * `export const POST = nextWebhook(inbox)`. Route handlers receive the untouched web Request, so the raw body is
 * intact.
 */
export function nextWebhook(inbox: Inbox): (request: Request) => Promise<Response> {
  return (request) => inbox.fetch(request);
}
