// The receive peer: @supabase/stripe-sync-engine's `processWebhook(rawBody, signature)` called inside the request,
// as its docs show, in a node:http server, on the same Postgres in a schema of its own.
//   node peer-sync-engine.mjs migrate      runs the package's migrations into a new schema SYNC_ENGINE_SCHEMA
//   node peer-sync-engine.mjs serve PORT   serves POST /webhooks/stripe (and GET /readyz)
// It never calls the Stripe API: revalidation, related-entity backfill and list expansion are off, which leaves
// every event kind the load sends (payment intents, charges, invoices, subscriptions) to the webhook's own
// payload. The client points at a closed local port all the same, so that a call would fail as a non-2xx answer
// rather than leave the machine.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { StripeSync } from "@supabase/stripe-sync-engine";
import pg from "pg";
import Stripe from "stripe";

const require = createRequire(import.meta.url);
const databaseUrl = process.env.DATABASE_URL;
const schema = process.env.SYNC_ENGINE_SCHEMA;
const [command, port] = process.argv.slice(2);

if (command === "migrate") {
  // The package's migrations name the schema `stripe` in their SQL (its `schema` option only places their
  // bookkeeping table), so they are run here in order, in one transaction, with that name replaced by ours: a
  // fixed schema on a shared server would collide with other runs.
  const dir = join(dirname(require.resolve("@supabase/stripe-sync-engine")), "migrations");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(`CREATE SCHEMA "${schema}"`);
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith(".sql"))
      .sort()) {
      const sql = readFileSync(join(dir, file), "utf8")
        .replace(/"stripe"\./g, `"${schema}".`)
        .replace(/\bstripe\./g, `"${schema}".`);
      await client.query(sql);
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
} else if (command === "serve") {
  const sync = new StripeSync({
    poolConfig: { connectionString: databaseUrl, max: 10 },
    schema,
    stripeSecretKey: "sk_test_bench",
    stripeWebhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
    autoExpandLists: false,
    backfillRelatedEntities: false,
    revalidateObjectsViaStripeApi: [],
  });
  sync.stripe = new Stripe("sk_test_bench", { host: "127.0.0.1", port: 9, protocol: "http", maxNetworkRetries: 0 });

  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/readyz") return res.writeHead(200).end("ok");
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        await sync.processWebhook(Buffer.concat(chunks), req.headers["stripe-signature"]);
        res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
      } catch (error) {
        const status = error?.type === "StripeSignatureVerificationError" ? 400 : 500;
        if (status === 500) console.error(error);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: error.message }));
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.listen(Number(port), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => sync.close().then(() => process.exit(0))));
} else {
  throw new Error("usage: peer-sync-engine.mjs migrate | serve PORT");
}
