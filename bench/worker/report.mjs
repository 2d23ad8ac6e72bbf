import { availableParallelism } from "node:os";
import { table } from "../receive/report.mjs";

// The figures: one table for throughput, one for latency, and one JSON line with everything.

const dash = (value, unit = "") => (value === null || value === undefined ? "-" : `${value}${unit}`);

/** The columns of one throughput row's figures, for any bench whose rows come from `throughputFigures`. */
export const THROUGHPUT_FIGURES = [
  ["workers", (r) => String(r.workers)],
  ["events", (r) => r.events.toLocaleString("en-US")],
  ["seconds", (r) => r.seconds.toFixed(2)],
  ["events/s", (r) => r.rate.toLocaleString("en-US")],
  ["worker CPU/event", (r) => dash(r.workerCpuUsPerEvent, " µs")],
  ["db CPU/event", (r) => dash(r.databaseCpuUsPerEvent, " µs")],
  ["worker CPU", (r) => dash(r.workerCpuPercent, "%")],
  ["db CPU", (r) => dash(r.databaseCpuPercent, "%")],
  ["other CPU", (r) => dash(r.otherCpuPercent, "%")],
  ["peak RSS", (r) => dash(r.peakRssMb, " MB")],
];

const THROUGHPUT = [
  ["engine", (r) => r.engine],
  ...THROUGHPUT_FIGURES,
  ["all succeeded", (r) => (allSucceeded(r) ? "yes" : `NO (${r.succeededRuns}/${r.runs})`)],
];

const LATENCY = [
  ["target", (r) => r.target],
  ["wake-up", (r) => r.wakeUp],
  ["events", (r) => String(r.events)],
  ["ack→start p50", (r) => `${r.ackToStart.p50.toFixed(2)} ms`],
  ["p99", (r) => `${r.ackToStart.p99.toFixed(2)} ms`],
  ["max", (r) => `${r.ackToStart.max.toFixed(2)} ms`],
  ["send→start p50", (r) => `${r.sendToStart.p50.toFixed(2)} ms`],
  ["p99", (r) => `${r.sendToStart.p99.toFixed(2)} ms`],
  ["ack p50", (r) => `${r.ack.p50.toFixed(2)} ms`],
];

const allSucceeded = (r) => r.succeededRuns === r.events && r.runs === r.events && r.undispatchedEvents === 0;

/** Prints the report; returns false when a throughput run left an event without its one succeeded run. */
export function printReport({ throughput, latency }, config) {
  if (throughput.length > 0) {
    console.log("\n  throughput (no-op handler, events already stored)");
    table(THROUGHPUT, throughput);
    for (const ours of throughput.filter((r) => r.engine === "postgres")) {
      const peer = throughput.find((r) => r.engine === "graphile-worker" && r.workers === ours.workers);
      if (!peer) continue;
      ours.ratioToGraphileWorker = Math.round((ours.rate / peer.rate) * 100) / 100;
      console.log(
        `  ${ours.workers} worker(s): ${ours.rate.toLocaleString("en-US")} events/s against graphile-worker's ` +
          `${peer.rate.toLocaleString("en-US")} jobs/s in the same run: ${ours.ratioToGraphileWorker}×`,
      );
    }
  }
  if (latency.length > 0) {
    console.log(
      `\n  latency on an idle system (${config.latencyEvents} events one at a time, ${config.latencyGapMs} ms apart; ` +
        `fallback poll ${latency[0].pollMs} ms)`,
    );
    table(LATENCY, latency);
    console.log("  ack→start: the handler's start minus the sender's receipt of the 2xx (negative: it started first)");
  }
  console.log(
    `\n${JSON.stringify({ bench: "worker", ...config, cores: availableParallelism(), throughput, latency })}`,
  );
  return throughput.every(allSucceeded);
}
