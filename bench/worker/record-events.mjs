// The seed scripts' shared part: a migrated inbox from the environment, filled through the receive path's own
// batch insert (the group commit of `createDeliveryRecorder`), without HTTP or signatures.
import { parseEvent } from "../../dist/inbox/parse-event.js";
import { createDeliveryRecorder } from "../../dist/inbox/record-deliveries.js";
import { migrate } from "../../dist/store/migrate.js";
import { openStore } from "../../dist/store/open.js";

const IN_FLIGHT = 1024;

/** Runs `fill` on the migrated inbox named by DATABASE_URL or STRIPE_INBOX_DATA_DIR and STRIPE_INBOX_SCHEMA. */
export async function withMigratedStore(fill) {
  const store = await openStore({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.STRIPE_INBOX_DATA_DIR ?? "",
    schema: process.env.STRIPE_INBOX_SCHEMA ?? "stripe_inbox",
  });
  try {
    await migrate(store);
    return await fill(store);
  } finally {
    await store.close();
  }
}

/** Records every body (a Buffer it may keep), up to IN_FLIGHT at once, and returns the count of stored events. */
export async function recordEvents(store, bodies, noteEnvelope = () => {}) {
  const recorder = createDeliveryRecorder(store);
  const inFlight = new Set();
  for (const body of bodies) {
    const { envelope } = parseEvent(body);
    noteEnvelope(envelope);
    const submitted = recorder.submit({
      receivedAt: new Date(),
      bodyBytes: body.length,
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
  return stored.events;
}
