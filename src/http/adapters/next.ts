/**
 * Next.js App Router route handler: in `app/webhooks/stripe/route.ts`, `export const POST = inbox.nextjs()`.
 * Route handlers receive the untouched web Request, so the raw body is intact.
 */
export function nextAdapter(handle: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return (request) => handle(request);
}
