// bench/soak: `stripe-inbox serve --handlers --retention 1m` on Postgres under a steady stream of signed deliveries
// for a long while, with prune running all along, to see that memory and the database stay flat. Prints a line of
// figures every few seconds, then the run's: size per million events, the slope of the size, RSS, p99. Never
// pass/fail on figures; exits non-zero only when an acknowledged event is neither stored nor pruned, or when the
// handler's committed writes do not match the runs recorded as succeeded.
//
//   node bench/soak/run.mjs [duration]       duration: 90s, 10m, 1h (default 10m); also `npm run bench -- --soak 10m`
import { randomBytes } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { durationMs } from "../../dist/retention/duration.js";
import {
  cleanupOnExit,
  freePort,
  positiveEnv,
  startNode,
  stop,
  treePeakRssMb,
  treeRssMb,
  waitUntilReady,
} from "../receive/processes.mjs";
import { createSoakSchema } from "./database.mjs";
import { startPruneLoop } from "./prune-loop.mjs";
import { percentile, printHeader, printSample, printSummary, summarise } from "./report.mjs";
import { startSteadyLoad } from "./steady-load.mjs";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const HANDLERS = fileURLToPath(new URL("./handlers.mjs", import.meta.url));
// The shortest retention serve accepts; prune cuts at the same age, so both remove the same events.
const RETENTION = "1m";

const durationArgument = process.argv[2] ?? "10m";
const config = {
  durationSeconds: (durationMs(durationArgument) ?? Number.NaN) / 1000,
  rate: positiveEnv("BENCH_SOAK_RATE", 200),
  connections: positiveEnv("BENCH_SOAK_CONNECTIONS", 8),
  sampleSeconds: positiveEnv("BENCH_SOAK_SAMPLE_SECONDS", 15),
  pruneSeconds: positiveEnv("BENCH_SOAK_PRUNE_SECONDS", 30),
  // auto: VACUUM after each prune only where the server's autovacuum is off; on; off.
  vacuum: process.env.BENCH_SOAK_VACUUM ?? "auto",
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  logLevel: process.env.STRIPE_INBOX_LOG_LEVEL ?? "info",
};
if (!(config.durationSeconds > 0))
  throw new Error(`the duration must be such as 90s, 10m or 1h, not "${durationArgument}"`);
if (!["auto", "on", "off"].includes(config.vacuum)) throw new Error("BENCH_SOAK_VACUUM must be auto, on or off");

const { cleanups, finish } = cleanupOnExit("bench/soak", "stopping serve and dropping its schema");
finish(soak());

async function soak() {
  const db = await createSoakSchema(config.databaseUrl);
  cleanups.push(() => db.drop());
  const vacuuming = config.vacuum === "on" || (config.vacuum === "auto" && !db.autovacuum);
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const env = {
    DATABASE_URL: config.databaseUrl,
    STRIPE_INBOX_SCHEMA: db.schema,
    STRIPE_WEBHOOK_SECRET: secret,
    STRIPE_INBOX_LOG_LEVEL: config.logLevel,
    BENCH_SOAK_TABLE: db.counterTable,
  };
  const port = await freePort();
  const server = startNode(
    "serve",
    [CLI, "serve", "--port", String(port), "--handlers", HANDLERS, "--retention", RETENTION],
    env,
  );
  await waitUntilReady(server, `http://127.0.0.1:${port}/readyz`);
  const serverDied = server.exited.then(({ code, signal }) => {
    throw new Error(`serve exited (${code ?? signal}) during the run:\n${server.output()}`);
  });
  serverDied.catch(() => {}); // raced below; reported from there

  console.log(
    `bench/soak: ${durationArgument} at ${config.rate} deliveries/s over ${config.connections} connections, ` +
      `serve --retention ${RETENTION}, prune --before ${RETENTION} every ${config.pruneSeconds} s` +
      `${vacuuming ? " then VACUUM" : ""}; autovacuum ${db.autovacuum ? "on" : "off"}; schema ${db.schema}; ` +
      `load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`,
  );
  printHeader();
  const samples = [];
  let started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const take = async (load) => {
    const window = load?.takeWindow() ?? [];
    const sample = {
      t: elapsed(),
      acked: load?.acked ?? 0,
      p50Ms: percentile(window, 0.5),
      p99Ms: percentile(window, 0.99),
      rssMb: treeRssMb(server.child.pid),
      ...(await db.sample()),
    };
    samples.push(sample);
    printSample(sample);
  };
  await take(null);

  const load = startSteadyLoad({
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    secret,
    rate: config.rate,
    connections: config.connections,
  });
  started = performance.now();
  const pruner = startPruneLoop({
    everySeconds: config.pruneSeconds,
    before: RETENTION,
    env,
    vacuum: vacuuming ? db.vacuum : null,
    elapsed,
  });
  for (let next = config.sampleSeconds; ; next += config.sampleSeconds) {
    const at = Math.min(next, config.durationSeconds);
    await Promise.race([serverDied, sleep(at * 1000 - (performance.now() - started))]);
    await take(load);
    if (at >= config.durationSeconds) break;
  }
  const totals = await load.stop();
  const prunes = await pruner.stop();
  const peakRssMb = treePeakRssMb(server.child.pid);
  await stop(server);

  const check = await db.accountFor(totals.ackedIds);
  const figures = summarise({ samples, load: totals, prunes, peakRssMb, durationSeconds: config.durationSeconds });
  printSummary(figures, { vacuuming, check });
  const { ackedIds, latencies, ...loadTotals } = totals;
  console.log(
    JSON.stringify({
      bench: "soak",
      config: { ...config, duration: durationArgument, retention: RETENTION, vacuuming, autovacuum: db.autovacuum },
      load: loadTotals,
      figures,
      check,
      samples,
      prunes,
      loadAverage: loadavg()[0],
    }),
  );
  const missing = check.places.missing ?? 0;
  if (missing > 0) console.log(`bench/soak: ${missing} acknowledged events lost`);
  if (check.handlerWrites !== check.runsSucceeded) {
    console.log("bench/soak: the handler's committed writes differ from the runs recorded as succeeded");
  }
  return missing === 0 && check.handlerWrites === check.runsSucceeded;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
