// Stores BENCH_SEED_EVENTS sign-up journeys' events in the inbox through the receive path's batch insert
// (bench/worker's `recordEvents`), without HTTP: not timed. Prints one JSON line with the count and the
// count of distinct objects.
import { recordEvents, withMigratedStore } from "../worker/record-events.mjs";
import { journeys } from "./journeys.mjs";

await withMigratedStore(async (store) => {
  const objects = new Set();
  const texts = journeys(Number(process.env.BENCH_SEED_EVENTS), Number(process.env.BENCH_INTERLEAVE));
  const events = await recordEvents(
    store,
    texts.map((text) => Buffer.from(text)),
    (envelope) => objects.add(envelope.objectId),
  );
  console.log(JSON.stringify({ result: { events, objects: objects.size } }));
});
