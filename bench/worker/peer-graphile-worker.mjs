// The worker peer: one graphile-worker runner with a no-op task, in a process of its own like one
// `stripe-inbox worker`, with BENCH_CONCURRENCY slots on GRAPHILE_WORKER_SCHEMA (migrated by the bench first).
// Prints "worker started" once it LISTENs, and stops its runner on SIGTERM.
import { EventEmitter } from "node:events";
import { Logger, run } from "graphile-worker";

const concurrency = Number(process.env.BENCH_CONCURRENCY);
const events = new EventEmitter();
events.on("pool:listen:success", () => console.log("worker started"));

const runner = await run({
  connectionString: process.env.DATABASE_URL,
  schema: process.env.GRAPHILE_WORKER_SCHEMA,
  concurrency,
  // A connection per slot, as graphile-worker asks for (its default pool is 10).
  maxPoolSize: concurrency,
  // The same fallback poll as the inbox's workers; every release also notifies.
  pollInterval: 1000,
  noHandleSignals: true,
  events,
  // Warnings and errors only: graphile-worker logs every completed job at info, which the inbox's workers do not.
  logger: new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") console.error(message);
  }),
  taskList: { noop: async () => {} },
});
process.on("SIGTERM", () => runner.stop().then(() => process.exit(0)));
