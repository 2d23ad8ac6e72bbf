// The PGlite throughput target: a data directory belongs to one process, so the "workers" are BENCH_WORKERS
// worker loops (`createWorker`, as `createInbox` starts one) sharing one store in this process. It times itself
// from the loops' start to the last succeeded run, checks the store, and prints one JSON line.
import { performance } from "node:perf_hooks";
import { createLogger } from "../../dist/log.js";
import { openStore } from "../../dist/store/open.js";
import { HandlerRegistry } from "../../dist/worker/registry.js";
import { createWorker } from "../../dist/worker/worker.js";
import registerBenchHandlers from "./handlers.mjs";

const workerCount = Number(process.env.BENCH_WORKERS);
const expected = Number(process.env.BENCH_EXPECTED);
const concurrency = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined;
const log = createLogger();
const store = await openStore({ dataDir: process.env.STRIPE_INBOX_DATA_DIR, schema: "stripe_inbox" });
const registry = new HandlerRegistry();
registerBenchHandlers({ on: registry.on.bind(registry) });

let succeeded = 0;
let other = 0;
let finish;
const finished = new Promise((resolve) => {
  finish = resolve;
});
const workers = Array.from({ length: workerCount }, () =>
  createWorker({
    store,
    registry,
    log,
    ...(concurrency && { concurrency }),
    stripe: () => {
      throw new Error("no Stripe API in the bench");
    },
    onRunFinished: (outcome) => {
      if (outcome === "succeeded") succeeded++;
      else other++;
      if (succeeded === expected) finish();
    },
  }),
);

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (const worker of workers) worker.start();
await finished;
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await Promise.all(workers.map((worker) => worker.stop()));
const [runs] = await store.query(
  `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*)::int AS runs,
          (SELECT count(*) FROM stripe_inbox.events WHERE status <> 'dispatched')::int AS undispatched
     FROM stripe_inbox.handler_runs`,
);
await store.close();
console.log(
  JSON.stringify({
    result: { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, succeeded, otherOutcomes: other, ...runs },
  }),
);
