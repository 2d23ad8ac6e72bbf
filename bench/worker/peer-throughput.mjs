// The same-run baseline of the worker bench: graphile-worker draining no-op jobs on the same Postgres, with as many
// runner processes and slots per process as the inbox's workers in the same run. The jobs are added first (payloads
// of 2-8 KB, as the events), held back by a run_at in the future, and released in one statement once every runner
// LISTENs; the clock runs from that commit until the jobs table is empty (graphile-worker deletes a job on success).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { runMigrations } from "graphile-worker";
import { cpuSeconds, machineCpuSeconds, peakRssMb, startNode, stop } from "../receive/processes.mjs";
import { throughputFigures } from "./throughput.mjs";

const PEER = fileURLToPath(new URL("./peer-graphile-worker.mjs", import.meta.url));
const DEFAULT_CONCURRENCY = (await import("../../dist/worker/worker.js")).DEFAULT_CONCURRENCY;
const DONE_POLL_MS = 25;
const STALL_MS = 60_000;

async function until(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function graphileWorkerThroughput({ config, db, cleanups }, workerCount) {
  const schema = db.newSchema();
  cleanups.push(() => db.dropSchema(schema));
  await runMigrations({ connectionString: config.databaseUrl, schema });
  const [{ added }] = await db.query(
    `SELECT count(*)::int AS added FROM ${schema}.add_jobs(array(
       SELECT ROW('noop', json_build_object('id', 'evt_' || i, 'pad', repeat('x', 2000 + (i % 64) * 96)),
                  null, now() + interval '1 day', null, null, null, null)::${schema}.job_spec
         FROM generate_series(1, $1::int) AS i))`,
    [config.events],
  );
  await db.query(`VACUUM ANALYZE ${schema}._private_jobs`);

  const concurrency = String(config.concurrency ?? DEFAULT_CONCURRENCY);
  const env = { DATABASE_URL: config.databaseUrl, GRAPHILE_WORKER_SCHEMA: schema, BENCH_CONCURRENCY: concurrency };
  const workers = Array.from({ length: workerCount }, (_, i) =>
    startNode(`graphile-worker ${i + 1}`, [...config.workerNodeArgs, PEER], env),
  );
  let stopping = false;
  let failure = null;
  for (const worker of workers)
    worker.exited.then(({ code, signal }) => {
      if (!stopping) failure ??= new Error(`${worker.name} exited (${code ?? signal}):\n${worker.output()}`);
    });
  await until(() => {
    if (failure) throw failure;
    return workers.every((worker) => worker.output().includes("worker started"));
  }, "graphile-worker to LISTEN");

  const before = { workers: workers.map((w) => cpuSeconds(w.child.pid)), db: await db.backendCpu() };
  before.machine = machineCpuSeconds();
  await db.query(`UPDATE ${schema}._private_jobs SET run_at = now()`);
  await db.query(`SELECT pg_notify('jobs:insert', $1)`, [JSON.stringify({ count: added })]);
  const started = performance.now();
  let [left, lastChange] = [added, Date.now()];
  for (;;) {
    if (failure) throw failure;
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ${schema}._private_jobs`);
    if (n === 0) break;
    if (n !== left) [left, lastChange] = [n, Date.now()];
    else if (Date.now() - lastChange > STALL_MS)
      throw new Error(`no progress for ${STALL_MS / 1000} s: ${n} jobs left`);
    await new Promise((resolve) => setTimeout(resolve, DONE_POLL_MS));
  }
  const seconds = (performance.now() - started) / 1000;
  const machine = machineCpuSeconds();
  const workerCpu = workers.reduce((sum, w, i) => sum + cpuSeconds(w.child.pid) - before.workers[i], 0);
  const backends = (await Promise.all(workers.map((w) => db.backendsOf(w.child.pid, config.databasePort)))).flat();
  const after = await db.backendCpu();
  const databaseCpu = backends.reduce((sum, pid) => sum + (after.get(pid) ?? 0) - (before.db.get(pid) ?? 0), 0);
  const peakRss = Math.max(...workers.map((w) => peakRssMb(w.child.pid)));
  stopping = true;
  await Promise.all(workers.map((worker) => stop(worker)));
  await cleanups.pop()();
  return {
    engine: "graphile-worker",
    ...throughputFigures({
      workerCount,
      events: added,
      seconds,
      workerCpu,
      databaseCpu,
      machineBusy: machine.busy - before.machine.busy,
    }),
    databaseBackends: backends.length,
    peakRssMb: peakRss,
    // None is left: graphile-worker deletes a job when it succeeds and keeps a failed one for its retry.
    succeededRuns: added,
    runs: added,
    undispatchedEvents: 0,
  };
}
