// A program that uses the core only: no framework is installed beside it.
import { createInbox, type Inbox } from "stripe-inbox";

const inbox: Inbox = createInbox({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  database: process.env.DATABASE_URL,
  receive: { toleranceSeconds: 300 },
  workers: { concurrency: 8 },
  mirror: { schema: "billing" },
  stripe: { apiKey: process.env.STRIPE_API_KEY },
});

inbox.on(
  "customer.subscription.updated",
  async (event, ctx) => {
    // Typed from the `stripe` package: a Stripe.Subscription, whose first item may be missing.
    const price: string | undefined = event.data.object.items.data[0]?.price.id;
    await ctx.sql("UPDATE accounts SET plan = $1 WHERE stripe_customer = $2", [price, event.data.object.customer]);
  },
  { name: "sync-plan", retry: { maxAttempts: 5 } },
);
inbox.on(
  "invoice.*",
  async (event, ctx) => {
    ctx.log.info({ invoice: event.data.object.id, key: ctx.idempotencyKey }, "invoice event");
  },
  { name: "log-invoices" },
);
inbox.onError((error, _event, ctx) => console.error(ctx.attempt, error));

export const handle: (request: Request) => Promise<Response> = inbox.fetch;
await inbox.start();
const replayed = await inbox.replay({ statuses: ["dead"], type: "invoice.*" }, { dryRun: true });
const reconciled = await inbox.reconcile({ since: new Date(Date.now() - 3 * 86_400_000), accounts: ["", "acct_1"] });
const pages = await inbox.backfill({ types: ["customers", "subscriptions"] });
console.log(replayed.runs, reconciled.inserted, pages.length);
await inbox.stop();
