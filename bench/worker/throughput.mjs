// Events/s through a no-op handler, with the events already in the inbox. On Postgres: separate
// `stripe-inbox worker` processes, started on held events and timed from the commit that releases them to the
// last succeeded run. On PGlite: worker loops in one process (see pglite-workers.mjs).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { cpuSeconds, machineCpuSeconds, peakRssMb, startNode, stop } from "../receive/processes.mjs";
import { newDataDir } from "./stores.mjs";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const HANDLERS = fileURLToPath(new URL("./handlers.mjs", import.meta.url));
const SEED = fileURLToPath(new URL("./seed.mjs", import.meta.url));
const PGLITE_WORKERS = fileURLToPath(new URL("./pglite-workers.mjs", import.meta.url));
const HELD = "bench_held";
const DONE_POLL_MS = 25;
const STALL_MS = 60_000;
const PROGRESS_EVERY_MS = 1_000;

async function runToEnd(proc) {
  const { code } = await proc.exited;
  if (code !== 0) throw new Error(`${proc.name} failed (${code}):\n${proc.output()}`);
  return JSON.parse(
    proc
      .output()
      .split("\n")
      .findLast((line) => line.startsWith(`{"result":`)),
  ).result;
}

async function until(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function postgresThroughput({ config, db, cleanups }, workerCount) {
  const schema = db.newSchema();
  const dropSchema = () => db.dropSchema(schema);
  cleanups.push(dropSchema);
  const timed = await timeHeldEvents(
    { config, db },
    {
      schema,
      seed: [SEED],
      workerName: "worker",
      workerArgs: ["--handlers", HANDLERS],
      workerCount,
    },
  );
  const [check] = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*)::int AS runs,
            (SELECT count(*) FROM ${schema}.events WHERE status <> 'dispatched')::int AS undispatched
       FROM ${schema}.handler_runs`,
  );
  await cleanups.pop()();
  return result({ engine: "postgres", ...timed, check });
}

/**
 * On Postgres: seeds `schema` by running `seed` (a node script printing `{"result": {"events": n, ...}}`), holds
 * the events back, starts `workerCount` `stripe-inbox worker <workerArgs>` processes, releases the events in one
 * statement once every worker LISTENs, and times until no event or run is left to do. Returns the seed's result
 * and the timed figures, for `throughputFigures`.
 */
export async function timeHeldEvents(
  { config, db },
  { schema, seed, seedEnv = {}, workerName, workerArgs, workerCount },
) {
  const env = {
    DATABASE_URL: config.databaseUrl,
    STRIPE_INBOX_SCHEMA: schema,
    STRIPE_INBOX_LOG_LEVEL: config.logLevel,
  };
  const seeded = await runToEnd(
    startNode("postgres seed", seed, { ...env, BENCH_SEED_EVENTS: String(config.events), ...seedEnv }),
  );
  // Held back until every worker is up, so that the clock starts with all of them ready.
  await db.query(`UPDATE ${schema}.events SET status = '${HELD}' WHERE status = 'pending'`);
  await db.query(`VACUUM ANALYZE ${schema}.events`);

  const args = ["worker", ...workerArgs, ...(config.concurrency ? ["--concurrency", config.concurrency] : [])];
  const workers = Array.from({ length: workerCount }, (_, i) =>
    startNode(`${workerName} ${i + 1}`, [...config.workerNodeArgs, CLI, ...args], env),
  );
  let stopping = false;
  let failure = null;
  for (const worker of workers)
    worker.exited.then(({ code, signal }) => {
      if (!stopping) failure ??= new Error(`${worker.name} exited (${code ?? signal}):\n${worker.output()}`);
    });
  const listeners = async () =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'stripe-inbox-listen' AND query LIKE $1`,
        [`LISTEN "${schema}_events"`],
      )
    )[0].n;
  await until(() => {
    if (failure) throw failure;
    return workers.every((worker) => worker.output().includes("worker started"));
  }, "the workers to start");
  await until(async () => (await listeners()) === workerCount, "the workers to LISTEN");

  const before = { workers: workers.map((w) => cpuSeconds(w.child.pid)), db: await db.backendCpu() };
  before.machine = machineCpuSeconds();
  await db.query(
    `WITH released AS (UPDATE ${schema}.events SET status = 'pending' WHERE status = '${HELD}' RETURNING 1)
     SELECT count(*) AS released, pg_notify($1, '') FROM released`,
    [`${schema}_events`],
  );
  const started = performance.now();
  // Polled often, so cheap: each EXISTS stops at the first unfinished row of a partial index (every held event was
  // released above). Counting them every 25 ms, as this bench once did, took a large share of Postgres's CPU from
  // the workers it measures; the counts that tell a stall from progress are taken once a second.
  const busySql = `SELECT EXISTS (SELECT 1 FROM ${schema}.events WHERE status = 'pending')
                       OR EXISTS (SELECT 1 FROM ${schema}.handler_runs WHERE status IN ('pending', 'failed'))
                       OR EXISTS (SELECT 1 FROM ${schema}.handler_runs WHERE status = 'running') AS busy`;
  const progressSql = `SELECT (SELECT count(*) FROM ${schema}.events WHERE status = 'pending')::int AS events,
                              (SELECT count(*) FROM ${schema}.handler_runs WHERE status IN ('pending', 'running', 'failed'))::int AS runs`;
  let lastChange = Date.now();
  let lastCount = 0;
  let last = "";
  for (;;) {
    if (failure) throw failure;
    const [{ busy }] = await db.query(busySql);
    if (!busy) break;
    if (Date.now() - lastCount >= PROGRESS_EVERY_MS) {
      lastCount = Date.now();
      const now = JSON.stringify((await db.query(progressSql))[0]);
      if (now !== last) [last, lastChange] = [now, Date.now()];
      else if (Date.now() - lastChange > STALL_MS) throw new Error(`no progress for ${STALL_MS / 1000} s: ${now} left`);
    }
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
  return {
    seeded,
    workerCount,
    events: seeded.events,
    seconds,
    workerCpu,
    databaseCpu,
    databaseBackends: backends.length,
    machineBusy: machine.busy - before.machine.busy,
    peakRss,
  };
}

export async function pgliteThroughput({ config, cleanups }, workerCount) {
  const data = newDataDir();
  cleanups.push(data.remove);
  const env = { STRIPE_INBOX_DATA_DIR: data.dir, STRIPE_INBOX_LOG_LEVEL: config.logLevel };
  const seeded = await runToEnd(
    startNode("pglite seed", [SEED], { ...env, BENCH_SEED_EVENTS: String(config.pgliteEvents) }),
  );
  const runner = startNode("pglite workers", [...config.workerNodeArgs, PGLITE_WORKERS], {
    ...env,
    BENCH_WORKERS: String(workerCount),
    BENCH_EXPECTED: String(seeded.events),
    ...(config.concurrency && { BENCH_CONCURRENCY: config.concurrency }),
  });
  const timer = setTimeout(() => runner.child.kill("SIGKILL"), 10 * 60_000);
  const measured = await runToEnd(runner).finally(() => clearTimeout(timer));
  await cleanups.pop()();
  return result({
    engine: "pglite",
    workerCount,
    events: seeded.events,
    seconds: measured.seconds,
    workerCpu: measured.cpuSeconds,
    databaseCpu: null,
    databaseBackends: null,
    machineBusy: null,
    peakRss: null,
    check: { succeeded: measured.succeeded, runs: measured.runs, undispatched: measured.undispatched },
  });
}

function result(m) {
  return {
    engine: m.engine,
    ...throughputFigures(m),
    databaseBackends: m.databaseBackends,
    peakRssMb: m.peakRss,
    succeededRuns: m.check.succeeded,
    runs: m.check.runs,
    undispatchedEvents: m.check.undispatched,
  };
}

/** Rate, and CPU per event and as a share of the run, from the measured seconds (null where not measured). */
export function throughputFigures(m) {
  const perEvent = (seconds) => (seconds === null ? null : Math.round((seconds * 1e6) / m.events));
  const percent = (seconds) => (seconds === null ? null : Math.round((seconds / m.seconds) * 1000) / 10);
  return {
    workers: m.workerCount,
    events: m.events,
    seconds: Math.round(m.seconds * 1000) / 1000,
    rate: Math.round(m.events / m.seconds),
    workerCpuUsPerEvent: perEvent(m.workerCpu),
    databaseCpuUsPerEvent: perEvent(m.databaseCpu),
    workerCpuPercent: percent(m.workerCpu),
    databaseCpuPercent: percent(m.databaseCpu),
    otherCpuPercent: m.machineBusy === null ? null : Math.max(0, percent(m.machineBusy - m.workerCpu - m.databaseCpu)),
  };
}
