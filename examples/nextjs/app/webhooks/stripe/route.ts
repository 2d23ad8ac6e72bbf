import { createInbox } from "stripe-inbox";
import { nextWebhook } from "stripe-inbox/next";

// The inbox writes to Postgres before it answers: Node.js runtime, never prerendered or cached.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// `next build` loads this module too, so STRIPE_WEBHOOK_SECRET must be set at build time as well.
const inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
  database: process.env.DATABASE_URL, // unset: embedded PGlite in ./.stripe-inbox
  ...(process.env.STRIPE_INBOX_SCHEMA && { schema: process.env.STRIPE_INBOX_SCHEMA }),
});

export const POST = nextWebhook(inbox);
