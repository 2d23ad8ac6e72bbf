// stripe-inbox/next as an App Router route handler (app/webhooks/stripe/route.ts).
import type { NextRequest } from "next/server";
import { createInbox } from "stripe-inbox";
import { nextWebhook } from "stripe-inbox/next";

const inbox = createInbox({ secret: process.env.STRIPE_WEBHOOK_SECRET, database: process.env.DATABASE_URL });

export const POST: (request: NextRequest) => Promise<Response> = nextWebhook(inbox);
export const runtime = "nodejs";
export const dynamic = "force-dynamic";
