// Puts BENCH_SEED_EVENTS events into an inbox through the receive path's own batch insert (the group commit
// of `createDeliveryRecorder`), without HTTP or signatures: the worker bench does not time this part.
// A process of its own, because a PGlite data directory belongs to one process at a time. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { parseEvent } from "../../dist/inbox/parse-event.js";
import { createDeliveryRecorder } from "../../dist/inbox/record-deliveries.js";
import { migrate } from "../../dist/store/migrate.js";
import { openStore } from "../../dist/store/open.js";
import { createTemplates } from "../receive/payloads.mjs";
import { stripeId } from "../receive/stripe-objects.mjs";

const ID_WIDTH = 24;
const IN_FLIGHT = 1024;

const count = Number(process.env.BENCH_SEED_EVENTS);
const store = await openStore({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.STRIPE_INBOX_DATA_DIR ?? "",
  schema: process.env.STRIPE_INBOX_SCHEMA ?? "stripe_inbox",
});
try {
  await migrate(store);
  const recorder = createDeliveryRecorder(store);
  const templates = createTemplates();
  const runTag = stripeId("", 8).slice(1);
  const started = performance.now();
  let bytes = 0;
  const inFlight = new Set();
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length];
    const id = `${runTag}${i.toString(36).padStart(ID_WIDTH - runTag.length, "0")}`;
    template.body.write(id, template.idOffset, "latin1");
    // A copy: the template is rewritten for the next event while this one may still wait for its commit.
    const body = Buffer.from(template.body);
    const { envelope } = parseEvent(body);
    bytes += template.body.length;
    const submitted = recorder.submit({
      receivedAt: new Date(),
      bodyBytes: template.body.length,
      sourceAddress: "127.0.0.1",
      signatureTimestamp: Math.floor(Date.now() / 1000),
      event: { envelope, body },
      rejection: null,
    });
    inFlight.add(submitted);
    void submitted.finally(() => inFlight.delete(submitted));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await recorder.drain();
  const [stored] = await store.query(`SELECT count(*)::int AS events FROM "${store.schema}".events`);
  console.log(
    JSON.stringify({
      result: { events: stored.events, bytes, seconds: Math.round(performance.now() - started) / 1000 },
    }),
  );
} finally {
  await store.close();
}
