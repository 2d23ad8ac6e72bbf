// The handler module of bench/worker, loaded by `stripe-inbox worker --handlers` and `serve --handlers`: one
// no-op handler for every event type. With BENCH_HANDLER_LOG set, each run first appends
// `{"id":...,"startedAt":...}` to that file, the wall-clock time in ms (sub-ms precision) at which it started.
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const startLog = process.env.BENCH_HANDLER_LOG;

export default function registerBenchHandlers(inbox) {
  inbox.on(
    "*",
    startLog
      ? (event) => {
          const startedAt = performance.timeOrigin + performance.now();
          appendFileSync(startLog, `${JSON.stringify({ id: event.id, startedAt })}\n`);
        }
      : () => {},
    { name: "bench-noop" },
  );
}
