// Run from the packed package: an inbox on PGlite in the folder given as argument receives a signed event
// through inbox.fetch and runs its handler; prints what happened as one JSON line.
import { createHmac } from "node:crypto";
import { createInbox } from "stripe-inbox";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: node runtime.js <data dir>");
const secret = "whsec_packaged_package_check";
const inbox = createInbox({ secret, dataDir });

const handled = new Promise<string>((resolve) => {
  inbox.on("customer.created", async (event) => resolve(event.data.object.id), { name: "remember-customer" });
});
await inbox.start();

const created = Math.floor(Date.now() / 1000);
const body = JSON.stringify({
  id: "evt_packaged_1",
  object: "event",
  api_version: "2025-10-29.clover",
  created,
  data: { object: { id: "cus_packaged_1", object: "customer", email: "jenny.rosen@example.com" } },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: "customer.created",
});
// Stripe's scheme, written out here so the check does not depend on the package's own signer.
const signature = createHmac("sha256", secret).update(`${created}.${body}`).digest("hex");
const response = await inbox.fetch(
  new Request("http://127.0.0.1/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": `t=${created},v1=${signature}` },
    body,
  }),
);
const answer: unknown = await response.json();
const handledObject = response.status === 200 ? await handled : null;
await inbox.stop();
console.log(JSON.stringify({ status: response.status, answer, handledObject }));
