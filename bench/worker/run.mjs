// bench/worker: events/s through a no-op handler with 1 and 2 workers on Postgres and PGlite, graphile-worker's
// no-op jobs/s on the same Postgres with as many processes and slots as the same-run baseline, and
// ack-to-handler-start latency on an idle system. Prints figures; never pass/fail on time. It exits non-zero
// only when a throughput run leaves an event without exactly one succeeded run, which is a correctness fault.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { cleanupOnExit, positiveEnv } from "../receive/processes.mjs";
import { listEnv, workerProcessConfig } from "./config.mjs";
import { measureLatency } from "./latency.mjs";
import { graphileWorkerThroughput } from "./peer-throughput.mjs";
import { printReport } from "./report.mjs";
import { connectPostgres } from "./stores.mjs";
import { pgliteThroughput, postgresThroughput } from "./throughput.mjs";

const THROUGHPUT = {
  postgres: postgresThroughput,
  "graphile-worker": graphileWorkerThroughput,
  pglite: pgliteThroughput,
};

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

const config = {
  targets: listEnv("BENCH_TARGETS", "postgres,graphile-worker,pglite"),
  phases: listEnv("BENCH_PHASES", "throughput,latency"),
  workers: listEnv("BENCH_WORKERS", "1,2").map(Number),
  events: positiveEnv("BENCH_EVENTS", 20_000),
  pgliteEvents: positiveEnv("BENCH_PGLITE_EVENTS", 2_000),
  latencyEvents: positiveEnv("BENCH_LATENCY_EVENTS", 200),
  latencyGapMs: positiveEnv("BENCH_LATENCY_GAP_MS", 20),
  ...workerProcessConfig(),
};

const { cleanups, finish } = cleanupOnExit("bench/worker", "stopping the workers and removing their stores");

async function step(label, measure) {
  process.stdout.write(`  ${label}... `);
  const started = Date.now();
  const result = await measure();
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function main() {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` first.");
  if (statSync(fileURLToPath(new URL("../../src", import.meta.url))).mtimeMs > statSync(CLI).mtimeMs) {
    console.log("note: these figures are for dist/; run `npm run build` after changing src/.");
  }
  for (const [name, values, known] of [
    ["BENCH_TARGETS", config.targets, Object.keys(THROUGHPUT)],
    ["BENCH_PHASES", config.phases, ["throughput", "latency"]],
  ]) {
    const unknown = values.filter((value) => !known.includes(value));
    if (unknown.length > 0) throw new Error(`Unknown ${name} ${unknown.join(", ")}; use ${known.join(",")}.`);
  }
  const db = config.targets.some((target) => target !== "pglite") ? await connectPostgres(config.databaseUrl) : null;
  if (db) cleanups.unshift(() => db.close());
  const context = { config, db, cleanups };
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  console.log(
    `bench/worker: no-op handler; throughput with ${config.workers.join(" and ")} workers on ` +
      `${config.events.toLocaleString("en-US")} stored events (Postgres) and ${config.pgliteEvents.toLocaleString("en-US")} ` +
      `(PGlite), 2-8 KB each; latency over ${config.latencyEvents} events; targets ${config.targets.join(", ")}`,
  );
  const throughput = [];
  const latency = [];
  if (config.phases.includes("throughput")) {
    for (const target of config.targets) {
      for (const workers of config.workers) {
        const measure = THROUGHPUT[target];
        throughput.push(await step(`${target}, ${workers} worker(s)`, () => measure(context, workers)));
      }
    }
  }
  if (config.phases.includes("latency")) {
    // graphile-worker is a throughput baseline only.
    const latencyTargets = { postgres: ["postgres-serve", "postgres-worker"], pglite: ["pglite"] };
    const targets = config.targets.flatMap((target) => latencyTargets[target] ?? []);
    for (const target of targets)
      latency.push(await step(`latency, ${target}`, () => measureLatency(context, target, secret)));
  }
  return printReport({ throughput, latency }, { ...config, loadAverageBefore: loadavg()[0] });
}

finish(main());
