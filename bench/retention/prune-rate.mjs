// bench/retention/prune-rate: how fast prune removes handled events on Postgres, and what deliveries arriving
// meanwhile see. Seeds BENCH_EVENTS handled events (no_handler) through the receive path's batch insert, then
// measures the latency of single deliveries (the batch insert, one event, one at a time) for a few seconds without
// prune, then while prune removes everything seeded: the same run's baseline. With BENCH_WHOLE_MONTH=1 the seeded
// events are dated next month and prune runs on a clock past it, so their month is dropped whole; that drop runs on
// its own first, timed with deliveries beside it. Prints figures, never pass/fail.
import { performance } from "node:perf_hooks";
import { parseEvent } from "../../dist/inbox/parse-event.js";
import { createDeliveryRecorder } from "../../dist/inbox/record-deliveries.js";
import { dropEligibleMonths } from "../../dist/retention/drop-partitions.js";
import { prune } from "../../dist/retention/prune.js";
import { migrate } from "../../dist/store/migrate.js";
import { monthStart } from "../../dist/store/partitions.js";
import { openPostgresStore } from "../../dist/store/postgres.js";
import { createTemplates } from "../receive/payloads.mjs";
import { stripeId } from "../receive/stripe-objects.mjs";
import { recordEvents } from "../worker/record-events.mjs";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 5);
const WHOLE_MONTH = process.env.BENCH_WHOLE_MONTH === "1";
const DAY = 86_400_000;
/** The seeding's whole-table statements take longer than the store's limit for an ordinary one. */
const LONG = { longRunning: true };

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

// A spread of a hundred thousand arguments overflows the stack.
const largest = (values) => values.reduce((max, value) => Math.max(max, value), 0);
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const summary = (latencies) => ({
  n: latencies.length,
  p50: percentile(latencies, 0.5),
  p99: percentile(latencies, 0.99),
  max: largest(latencies),
});
const describe = (latencies) =>
  `${latencies.length} deliveries, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${largest(latencies).toFixed(1)} ms`;

try {
  await migrate(store);
  function* seed() {
    for (let i = 0; i < EVENTS; i++) yield nextBody();
  }
  await recordEvents(store, seed());
  // Moved into next month's partition (an UPDATE of the partition key moves the row), when that month is to go whole.
  await store.query(
    WHOLE_MONTH
      ? `UPDATE "${schema}".events SET status = 'no_handler', created = $1::timestamptz + (created - date_trunc('day', created))`
      : `UPDATE "${schema}".events SET status = 'no_handler'`,
    WHOLE_MONTH ? [monthStart(new Date(), 1).toISOString()] : [],
    LONG,
  );
  await store.query(`VACUUM ANALYZE "${schema}".events`, [], LONG);
  // On a clock a day into the month after next, next month has ended before the cut and may go whole.
  const now = WHOLE_MONTH ? new Date(monthStart(new Date(), 2).getTime() + DAY) : undefined;
  const cut = now ? new Date(now.getTime() - 1000) : new Date();
  // events is partitioned: its size is its partitions'.
  const [size] = await store.query(
    `SELECT sum(pg_total_relation_size(relid))::bigint AS bytes FROM pg_partition_tree('"${schema}".events')`,
  );

  const baselineEnds = performance.now() + BASELINE_SECONDS * 1000;
  const baseline = await deliveries(() => performance.now() > baselineEnds);

  // The month's drop on its own first: deliveries then wait only for its barrier and its moment under the locks.
  let drop = null;
  if (WHOLE_MONTH) {
    let dropping = true;
    const dropStarted = performance.now();
    const keepUntil = new Date(now.getTime() + 3 * DAY);
    const [dropped, duringDrop] = await Promise.all([
      dropEligibleMonths(pruner, { before: cut, now, keepUntil }).finally(() => {
        dropping = false;
      }),
      deliveries(() => !dropping),
    ]);
    drop = { dropped, seconds: (performance.now() - dropStarted) / 1000, during: duringDrop };
  }

  let pruning = true;
  const started = performance.now();
  const [result, during] = await Promise.all([
    prune(pruner, { before: cut, now }).finally(() => {
      pruning = false;
    }),
    deliveries(() => !pruning),
  ]);
  const seconds = (performance.now() - started) / 1000;

  console.log(
    `prune of ${EVENTS} handled events (events table ${Math.round(Number(size.bytes) / 1_048_576)} MB), batches of 1,000:`,
  );
  if (drop) {
    console.log(
      `  first, the month dropped whole in ${drop.seconds.toFixed(1)} s: ${drop.dropped.partitions.join(", ")} ` +
        `(${drop.dropped.events} events, ${Math.round(drop.dropped.bytes / 1_048_576)} MB)`,
    );
    console.log(`  deliveries during the drop: ${describe(drop.during)}`);
  }
  // After a whole month's drop, what is left to prune is the seeded deliveries (the current month's).
  console.log(
    `  ${drop ? "then prune " : ""}removed ${result.events} events and ${result.deliveries} deliveries in ${seconds.toFixed(1)} s: ${Math.round((result.events || result.deliveries) / seconds)} ${result.events ? "events" : "deliveries"}/s`,
  );
  console.log(`  deliveries before prune: ${describe(baseline)}`);
  console.log(`  deliveries during prune: ${describe(during)}`);
  console.log(
    JSON.stringify({
      events: EVENTS,
      wholeMonth: WHOLE_MONTH,
      drop: drop && {
        seconds: Math.round(drop.seconds * 100) / 100,
        partitions: drop.dropped.partitions,
        events: drop.dropped.events,
        ...summary(drop.during),
      },
      pruneSeconds: Math.round(seconds * 100) / 100,
      removed: result,
      baseline: summary(baseline),
      during: summary(during),
    }),
  );
} finally {
  await store.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, [], LONG);
  await store.close();
  await pruner.close();
}
