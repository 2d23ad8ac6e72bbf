// bench/retention/dedupe-probe: what the pruned-ids lookup costs the receive path's batch insert, on Postgres.
// Three variants in the same run, each in a schema of its own, their rounds interleaved so that the machine's other
// load falls on all of them alike:
//   baseline: the batch insert with the pruned-ids lookup taken out of its SQL (the statement as it was before);
//   empty:    the batch insert as shipped, pruned_event_ids empty;
//   full:     the batch insert as shipped, pruned_event_ids holding BENCH_PRUNED_IDS ids (a long retention's worth).
// Every event is new, so every lookup misses, as it does for all but redeliveries. Each variant has one connection,
// so the figure that matters is that Postgres backend's CPU time per event (from /proc): on a shared machine it moves
// far less than the rate. Prints figures, never pass/fail.
import { performance } from "node:perf_hooks";
import { migrate } from "../../dist/store/migrate.js";
import { openPostgresStore } from "../../dist/store/postgres.js";
import { createTemplates } from "../receive/payloads.mjs";
import { cpuSeconds } from "../receive/processes.mjs";
import { stripeId } from "../receive/stripe-objects.mjs";
import { recordEvents } from "../worker/record-events.mjs";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const EVENTS_PER_ROUND = Number(process.env.BENCH_EVENTS ?? 20_000);
const PRUNED_IDS = Number(process.env.BENCH_PRUNED_IDS ?? 1_000_000);
const PROBE =
  /\n\s*-- An event pruned by retention[^\n]*\n\s*WHERE NOT EXISTS \(SELECT 1 FROM [^\n]*pruned_event_ids[^\n]*\n/;

let rewritten = 0;

/** The store, with the lookup removed from the batch insert's SQL: the statement as it was before retention. */
function withoutProbe(store) {
  return {
    ...store,
    query(sql, params, options) {
      if (!PROBE.test(sql)) return store.query(sql, params, options);
      rewritten++;
      return store.query(sql.replace(PROBE, "\n"), params, options && { prepareAs: `${options.prepareAs}_baseline` });
    },
  };
}

const run = stripeId("", 6).slice(1);
const variants = [];
for (const name of ["baseline", "empty", "full"]) {
  const schema = `bench_dedupe_${name}_${run}`;
  const store = openPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 1 });
  await migrate(store);
  variants.push({
    name,
    schema,
    store,
    recordWith: name === "baseline" ? withoutProbe(store) : store,
    rates: [],
    cpuMicros: [],
  });
}
const full = variants.find((variant) => variant.name === "full");
await full.store.query(
  `INSERT INTO "${full.schema}".pruned_event_ids (id, pruned_at, keep_until)
   SELECT 'evt_pruned_' || g, now(), now() + interval '90 days' FROM generate_series(1, $1) g`,
  [PRUNED_IDS],
);
await full.store.query(`ANALYZE "${full.schema}".pruned_event_ids`);
if (
  !PROBE.test(
    (await import("node:fs")).readFileSync(new URL("../../dist/inbox/record-deliveries.js", import.meta.url), "utf8"),
  )
) {
  throw new Error("the batch insert's SQL no longer has the lookup this bench takes out: update PROBE");
}

const templates = createTemplates();
let serial = 0;
function* bodies(count) {
  for (let i = 0; i < count; i++) {
    const template = templates[serial % templates.length];
    template.body.write(`${run}${(serial++).toString(36).padStart(24 - run.length, "0")}`, template.idOffset, "latin1");
    yield Buffer.from(template.body);
  }
}

try {
  // One unmeasured round each: connections, prepared statements, the first pages of the tables.
  for (const variant of variants) await recordEvents(variant.recordWith, bodies(2_000));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round in a different order, so that no variant always follows the same one.
    const order = variants.map((_, index) => variants[(index + round) % variants.length]);
    for (const variant of order) {
      // The pool's one connection: asked each round, as an idle connection is closed and replaced meanwhile.
      const [{ pid }] = await variant.store.query("SELECT pg_backend_pid() AS pid");
      const started = performance.now();
      const cpuBefore = cpuSeconds(pid);
      const stored = await recordEvents(variant.recordWith, bodies(EVENTS_PER_ROUND));
      const seconds = (performance.now() - started) / 1000;
      variant.cpuMicros.push(((cpuSeconds(pid) - cpuBefore) / EVENTS_PER_ROUND) * 1e6);
      if (stored !== 2_000 + (round + 1) * EVENTS_PER_ROUND)
        throw new Error(`${variant.name}: ${stored} events stored`);
      variant.rates.push(EVENTS_PER_ROUND / seconds);
    }
  }
  if (rewritten === 0) throw new Error("the baseline never ran the batch insert without the lookup");
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const [base] = variants;
  console.log(`batch insert, ${EVENTS_PER_ROUND} new events a round, ${ROUNDS} rounds; medians:`);
  console.log("  variant    db CPU/event   vs baseline   events/s   vs baseline");
  for (const variant of variants) {
    const cpu = median(variant.cpuMicros);
    const rate = median(variant.rates);
    const note = variant.name === "full" ? `   (pruned_event_ids: ${PRUNED_IDS} rows)` : "";
    console.log(
      `  ${variant.name.padEnd(9)} ${cpu.toFixed(1).padStart(9)} µs  ${((cpu / median(base.cpuMicros)) * 100).toFixed(1).padStart(9)} %  ${Math.round(rate).toString().padStart(9)}  ${((rate / median(base.rates)) * 100).toFixed(1).padStart(9)} %${note}`,
    );
  }
  console.log(
    JSON.stringify({
      events: EVENTS_PER_ROUND,
      rounds: ROUNDS,
      prunedIds: PRUNED_IDS,
      variants: Object.fromEntries(
        variants.map((v) => [
          v.name,
          { rates: v.rates.map(Math.round), cpuMicros: v.cpuMicros.map((c) => Math.round(c * 10) / 10) },
        ]),
      ),
    }),
  );
} finally {
  for (const variant of variants) {
    await variant.store.query(`DROP SCHEMA "${variant.schema}" CASCADE`);
    await variant.store.close();
  }
}
