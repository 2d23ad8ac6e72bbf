// bench/mirror: events/s applied to the mirror on Postgres by `stripe-inbox worker --mirror` processes, and the
// same events through a no-op handler in the same run (the worker path's own cost), so the difference is the
// mirror's. Prints figures; never pass/fail on time. Exits non-zero only when a run failed or retried, or the
// mirror does not hold every object's newest event: correctness faults.
import { existsSync, statSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { cleanupOnExit, positiveEnv } from "../receive/processes.mjs";
import { table } from "../receive/report.mjs";
import { listEnv, workerProcessConfig } from "../worker/config.mjs";
import { THROUGHPUT_FIGURES } from "../worker/report.mjs";
import { connectPostgres } from "../worker/stores.mjs";
import { measure } from "./throughput.mjs";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

const config = {
  workers: listEnv("BENCH_WORKERS", "2").map(Number),
  handlers: listEnv("BENCH_HANDLERS", "noop,mirror"),
  events: positiveEnv("BENCH_EVENTS", 10_000),
  // Sign-ups whose events are interleaved in the stored order; 1 puts each sign-up's events side by side.
  interleave: positiveEnv("BENCH_INTERLEAVE", 200),
  ...workerProcessConfig(),
};

const { cleanups, finish } = cleanupOnExit("bench/mirror", "stopping the workers and removing their schemas");

const COLUMNS = [
  ["handler", (r) => r.handler],
  ...THROUGHPUT_FIGURES,
  ["runs ok 1st try", (r) => (r.succeededFirstTime === r.events ? "all" : `NO (${r.succeededFirstTime}/${r.runs})`)],
  ["mirror newest", (r) => (r.mirror ? `${r.mirror.holdingNewest}/${r.mirror.objects}` : "-")],
];

const correct = (r) =>
  r.succeededFirstTime === r.events &&
  r.runs === r.events &&
  (!r.mirror || r.mirror.holdingNewest === r.mirror.objects);

async function main() {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` first.");
  if (statSync(fileURLToPath(new URL("../../src", import.meta.url))).mtimeMs > statSync(CLI).mtimeMs) {
    console.log("note: these figures are for dist/; run `npm run build` after changing src/.");
  }
  const unknown = config.handlers.filter((name) => !["noop", "mirror"].includes(name));
  if (unknown.length > 0) throw new Error(`Unknown BENCH_HANDLERS ${unknown.join(", ")}; use noop,mirror.`);
  const db = await connectPostgres(config.databaseUrl, "bench_mirror");
  cleanups.unshift(() => db.close());
  const loadAverageBefore = loadavg()[0];
  console.log(
    `bench/mirror: ${config.events.toLocaleString("en-US")} stored events of subscription sign-ups (10 events about ` +
      `5 objects each, ${config.interleave} sign-ups interleaved), through ${config.handlers.join(" and ")} with ${config.workers.join(" and ")} worker(s)`,
  );
  const results = [];
  for (const workers of config.workers) {
    for (const handler of config.handlers) {
      process.stdout.write(`  ${handler}, ${workers} worker(s)... `);
      const started = Date.now();
      results.push(await measure({ config, db, cleanups }, handler, workers));
      console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  console.log("\n  throughput (events already stored; noop = the worker path alone)");
  table(COLUMNS, results);
  for (const workers of config.workers) {
    const noop = results.find((r) => r.workers === workers && r.handler === "noop");
    const mirror = results.find((r) => r.workers === workers && r.handler === "mirror");
    if (noop && mirror) {
      console.log(
        `  mirror's own cost, ${workers} worker(s): ${mirror.workerCpuUsPerEvent - noop.workerCpuUsPerEvent} µs worker CPU ` +
          `and ${mirror.databaseCpuUsPerEvent - noop.databaseCpuUsPerEvent} µs db CPU per event; ` +
          `rate ${Math.round((mirror.rate / noop.rate) * 100)}% of the no-op's`,
      );
    }
  }
  console.log(
    `\n${JSON.stringify({ bench: "mirror", ...config, cores: availableParallelism(), loadAverageBefore, results })}`,
  );
  return results.every(correct);
}

finish(main());
