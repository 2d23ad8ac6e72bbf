// bench/worker/claim-timing: how long the worker's claim statement takes, cold (the first on a new connection: parse
// and plan included, which is what PGlite pays more of) and warm (the median of the next ones), on Postgres and
// PGlite, with BENCH_EVENTS stored events, one pending run each. Run it from two checkouts (`node <tree>/bench/...`)
// to compare them: it uses the dist/ of the tree it is in. Prints figures, never pass/fail.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { migrate } from "../../dist/store/migrate.js";
import { openPgliteStore } from "../../dist/store/pglite.js";
import { openPostgresStore } from "../../dist/store/postgres.js";
import { runQueries } from "../../dist/worker/run-queries.js";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 200);
const LIMIT = 8;
/** BENCH_ORDERED=1 times the claim of ordered handlers, with its order check; by default, of unordered ones. */
const ORDERED = process.env.BENCH_ORDERED === "1";

async function fill(store) {
  const s = `"${store.schema}"`;
  await store.query(
    `INSERT INTO ${s}.events (id, type, object, created, livemode, data_object_id, payload, received_at, status)
     SELECT 'evt_' || i, 'customer.updated', 'event', now() - i * interval '1 s', false, 'cus_' || i,
            json_build_object('id', 'evt_' || i), now() - i * interval '1 s', 'dispatched'
       FROM generate_series(1, $1::int) i`,
    [EVENTS],
  );
  await store.query(
    `INSERT INTO ${s}.handler_runs (event_id, handler, max_attempts, run_at, event_created)
     SELECT id, 'crm', 3, received_at, created FROM ${s}.events`,
  );
  await store.query(`ANALYZE ${s}.events, ${s}.handler_runs`);
}

async function time(open) {
  const store = await open();
  try {
    await migrate(store);
    await fill(store);
    const queries = runQueries(store.schema);
    const claim = () =>
      queries.claimRuns(store, {
        handlers: ["crm"],
        anyOrdered: ORDERED,
        limit: LIMIT,
        workerId: "bench",
        now: new Date(),
        leaseMs: 60_000,
      });
    const coldStarted = performance.now();
    await claim();
    const cold = performance.now() - coldStarted;
    const warm = [];
    for (let i = 0; i < CLAIMS; i++) {
      const started = performance.now();
      const claimed = await claim();
      warm.push(performance.now() - started);
      if (claimed.length === 0) break;
    }
    warm.sort((a, b) => a - b);
    return { coldMs: +cold.toFixed(2), warmMedianMs: +(warm[Math.floor(warm.length / 2)] ?? 0).toFixed(3) };
  } finally {
    if (store.engine === "postgres") await store.query(`DROP SCHEMA IF EXISTS "${store.schema}" CASCADE`);
    await store.close();
  }
}

const schema = () => `bench_claim_${process.pid}_${randomBytes(4).toString("hex")}`;
const postgres = await time(() => openPostgresStore({ connectionString: DATABASE_URL, schema: schema(), poolSize: 1 }));
const dataDir = mkdtempSync(join(tmpdir(), "stripe-inbox-claim-"));
let pglite;
try {
  pglite = await time(() => openPgliteStore({ dataDir, schema: "stripe_inbox" }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: "claim-timing", events: EVENTS, ordered: ORDERED, postgres, pglite }));
