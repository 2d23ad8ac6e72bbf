// bench/retention/prune-rate: how fast prune removes handled events on Postgres, and what deliveries arriving
// meanwhile see. Seeds BENCH_EVENTS handled events (no_handler) through the receive path's batch insert, then
// measures the latency of single deliveries (the batch insert, one event, one at a time) for a few seconds without
// prune, then while prune removes everything seeded: the same run's baseline. Prints figures, never pass/fail.
import { performance } from "node:perf_hooks";
import { parseEvent } from "../../dist/inbox/parse-event.js";
import { createDeliveryRecorder } from "../../dist/inbox/record-deliveries.js";
import { prune } from "../../dist/retention/prune.js";
import { migrate } from "../../dist/store/migrate.js";
import { openPostgresStore } from "../../dist/store/postgres.js";
import { createTemplates } from "../receive/payloads.mjs";
import { stripeId } from "../receive/stripe-objects.mjs";
import { recordEvents } from "../worker/record-events.mjs";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 5);

const run = stripeId("", 6).slice(1);
const schema = `bench_prune_${run}`;
const store = openPostgresStore({ connectionString: DATABASE_URL, schema });
const pruner = openPostgresStore({ connectionString: DATABASE_URL, schema });
const templates = createTemplates();
let serial = 0;
const nextBody = () => {
  const template = templates[serial % templates.length];
  template.body.write(`${run}${(serial++).toString(36).padStart(24 - run.length, "0")}`, template.idOffset, "latin1");
  return Buffer.from(template.body);
};

/** Single deliveries one after another until `until()` says stop; their latencies in ms. */
async function deliveries(until) {
  const recorder = createDeliveryRecorder(store);
  const latencies = [];
  while (!until()) {
    const body = nextBody();
    const started = performance.now();
    await recorder.submit({
      receivedAt: new Date(),
      bodyBytes: body.length,
      sourceAddress: "127.0.0.1",
      signatureTimestamp: Math.floor(Date.now() / 1000),
      event: { envelope: parseEvent(body).envelope, body },
      rejection: null,
    });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const describe = (latencies) =>
  `${latencies.length} deliveries, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`;

try {
  await migrate(store);
  function* seed() {
    for (let i = 0; i < EVENTS; i++) yield nextBody();
  }
  await recordEvents(store, seed());
  await store.query(`UPDATE "${schema}".events SET status = 'no_handler'`);
  await store.query(`VACUUM ANALYZE "${schema}".events`);
  const cut = new Date();
  const [size] = await store.query(`SELECT pg_total_relation_size('"${schema}".events')::bigint AS bytes`);

  const baselineEnds = performance.now() + BASELINE_SECONDS * 1000;
  const baseline = await deliveries(() => performance.now() > baselineEnds);

  let pruning = true;
  const started = performance.now();
  const [result, during] = await Promise.all([
    prune(pruner, { before: cut }).finally(() => {
      pruning = false;
    }),
    deliveries(() => !pruning),
  ]);
  const seconds = (performance.now() - started) / 1000;

  console.log(
    `prune of ${EVENTS} handled events (events table ${Math.round(Number(size.bytes) / 1_048_576)} MB), batches of 1,000:`,
  );
  console.log(
    `  removed ${result.events} events and ${result.deliveries} deliveries in ${seconds.toFixed(1)} s: ${Math.round(result.events / seconds)} events/s`,
  );
  console.log(`  deliveries before prune: ${describe(baseline)}`);
  console.log(`  deliveries during prune: ${describe(during)}`);
  console.log(
    JSON.stringify({
      events: EVENTS,
      pruneSeconds: Math.round(seconds * 100) / 100,
      removed: result,
      baseline: {
        n: baseline.length,
        p50: percentile(baseline, 0.5),
        p99: percentile(baseline, 0.99),
        max: Math.max(...baseline),
      },
      during: {
        n: during.length,
        p50: percentile(during, 0.5),
        p99: percentile(during, 0.99),
        max: Math.max(...during),
      },
    }),
  );
} finally {
  await store.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await store.close();
  await pruner.close();
}
