// Puts BENCH_SEED_EVENTS events into an inbox through the receive path's own batch insert (the group commit
// of `createDeliveryRecorder`), without HTTP or signatures: the worker bench does not time this part.
// A process of its own, because a PGlite data directory belongs to one process at a time. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { createTemplates } from "../receive/payloads.mjs";
import { stripeId } from "../receive/stripe-objects.mjs";
import { recordEvents, withMigratedStore } from "./record-events.mjs";

const ID_WIDTH = 24;

const count = Number(process.env.BENCH_SEED_EVENTS);
await withMigratedStore(async (store) => {
  const templates = createTemplates();
  const runTag = stripeId("", 8).slice(1);
  const started = performance.now();
  let bytes = 0;
  function* bodies() {
    for (let i = 0; i < count; i++) {
      const template = templates[i % templates.length];
      const id = `${runTag}${i.toString(36).padStart(ID_WIDTH - runTag.length, "0")}`;
      template.body.write(id, template.idOffset, "latin1");
      bytes += template.body.length;
      // A copy: the template is rewritten for the next event while this one may still wait for its commit.
      yield Buffer.from(template.body);
    }
  }
  const events = await recordEvents(store, bodies());
  console.log(
    JSON.stringify({
      result: { events, bytes, seconds: Math.round(performance.now() - started) / 1000 },
    }),
  );
});
