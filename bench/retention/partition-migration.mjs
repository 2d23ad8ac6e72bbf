// bench/retention/partition-migration: what the move to month partitions (migrations 0010 to 0012) costs a populated
// inbox on Postgres. For each size in BENCH_SIZES: an inbox on the unpartitioned schema (0001 to 0009) holding that
// many events (payloads of about 1.5 KB), one run and one delivery each, then each partitioning step applied on its
// own, timed, while a probe on another connection inserts an event and a delivery every few milliseconds and records
// how long its inserts waited, and how long its backend was seen waiting on a lock: the time the step kept receiving
// blocked. Prints figures, never pass/fail.
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { applyMigrations } from "../../dist/store/migrate.js";
import { openPostgresStore } from "../../dist/store/postgres.js";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SIZES = (process.env.BENCH_SIZES ?? "20000,200000").split(",").map(Number);
const PROBE_EVERY_MS = 5;
const SAMPLE_EVERY_MS = 2;
const SOURCE = new URL("../../dist/store/migrations/", import.meta.url);

/** A folder with the inbox's migrations up to `last` (inclusive). */
function migrationsUpTo(last) {
  const directory = mkdtempSync(join(tmpdir(), "stripe-inbox-partition-bench-"));
  for (const name of readdirSync(SOURCE).filter((file) => /^\d{4}-/.test(file) && Number(file.slice(0, 4)) <= last)) {
    cpSync(new URL(name, SOURCE), join(directory, name));
  }
  return pathToFileURL(`${directory}/`);
}

async function measure(size) {
  const schema = `bench_partition_${size}_${process.pid}`;
  const store = openPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 1 });
  const set = (last) => ({
    directory: migrationsUpTo(last),
    schema,
    trackingTable: "migrations",
    lockKey: `stripe_inbox.migrate.${schema}`,
  });
  const probe = new pg.Client({ connectionString: DATABASE_URL });
  await probe.connect();
  const probePid = (await probe.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
  const monitor = new pg.Client({ connectionString: DATABASE_URL });
  await monitor.connect();
  try {
    await applyMigrations(store, set(9));
    const s = `"${schema}"`;
    const padding = "x".repeat(1_400);
    // Filled on the probe's connection: the store's connections time out long statements.
    await probe.query(
      `INSERT INTO ${s}.events (id, type, object, created, livemode, data_object_id, payload, received_at, status)
       SELECT 'evt_' || i, 'customer.updated', 'event', now() - i * interval '10 s', false, 'cus_' || (i % 5000),
              json_build_object('id', 'evt_' || i, 'note', md5(i::text) || $2), now() - i * interval '10 s', 'dispatched'
         FROM generate_series(1, $1) i`,
      [size, padding],
    );
    await probe.query(
      `INSERT INTO ${s}.handler_runs (event_id, handler, status, max_attempts, run_at, event_created, attempts)
       SELECT id, 'crm', 'succeeded', 3, received_at, created, 1 FROM ${s}.events`,
    );
    await probe.query(
      `INSERT INTO ${s}.deliveries (received_at, event_id, outcome, body_bytes)
       SELECT received_at, id, 'stored', 1500 FROM ${s}.events`,
    );
    await probe.query(`VACUUM ANALYZE ${s}.events, ${s}.handler_runs, ${s}.deliveries`);

    const figures = {};
    for (const [step, name] of [
      [10, "0010 bound NOT VALID"],
      [11, "0011 VALIDATE"],
      [12, "0012 partitioned tables + ATTACH"],
    ]) {
      let probing = true;
      let longestWait = 0;
      let inserts = 0;
      // A slow insert may be waiting on the step's lock or only on the disk (a checkpoint, the scan's reads): the
      // probe's backend is sampled, and only the time it is seen waiting on a lock counts as blocked.
      let lockSamples = 0;
      const sampler = (async () => {
        while (probing) {
          const [row] = (await monitor.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [probePid]))
            .rows;
          if (row?.wait_event_type === "Lock") lockSamples++;
          await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
        }
      })();
      const prober = (async () => {
        while (probing) {
          const started = performance.now();
          const id = `evt_probe_${step}_${inserts}`;
          // As receiving does: one event and its delivery, each statement waiting on whatever lock the step holds.
          await probe.query(
            `WITH e AS (INSERT INTO ${s}.events (id, type, object, created, livemode, payload, received_at)
                        VALUES ($1, 'customer.updated', 'event', now(), false, '{}', now()) ON CONFLICT DO NOTHING RETURNING id)
             INSERT INTO ${s}.deliveries (received_at, event_id, outcome, body_bytes) SELECT now(), id, 'stored', 2 FROM e`,
            [id],
          );
          longestWait = Math.max(longestWait, performance.now() - started);
          inserts++;
          await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await applyMigrations(store, set(step));
      const took = performance.now() - started;
      probing = false;
      await Promise.all([prober, sampler]);
      figures[name] = {
        ms: Math.round(took),
        longestInsertWaitMs: Math.round(longestWait),
        inserts,
        lockWaitMs: lockSamples * SAMPLE_EVERY_MS,
      };
    }
    return figures;
  } finally {
    await probe.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await probe.end();
    await monitor.end();
    await store.close();
  }
}

for (const size of SIZES) {
  const figures = await measure(size);
  console.log(`${size} events:`);
  for (const [step, { ms, longestInsertWaitMs, inserts, lockWaitMs }] of Object.entries(figures)) {
    console.log(
      `  ${step.padEnd(34)} ${String(ms).padStart(7)} ms   longest insert wait ${longestInsertWaitMs} ms (${inserts} inserts), ` +
        `seen waiting on a lock for ${lockWaitMs} ms`,
    );
  }
  console.log(JSON.stringify({ bench: "partition-migration", events: size, steps: figures }));
}
