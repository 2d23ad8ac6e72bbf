/** Hono handler: `app.post("/webhooks/stripe", inbox.hono())`. Hono's request is already a web Request. */
export function honoAdapter(
  handle: (request: Request) => Promise<Response>,
): (context: { req: { raw: Request } }) => Promise<Response> {
  return (context) => handle(context.req.raw);
}
