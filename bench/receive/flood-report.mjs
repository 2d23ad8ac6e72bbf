// bench/receive/flood's figures: per condition, the signed deliveries' latency, the flood's rate and what it cost.
import { table } from "./report.mjs";

export const CONDITIONS = ["quiet", "forged", "unsigned"];

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Prints the table and the headline; returns false when a signed delivery was answered other than 200. */
export function report(rounds, valid, bodyBytes, config) {
  const seconds = (name) => rounds.filter((r) => r.condition === name).reduce((sum, r) => sum + r.seconds, 0);
  const cpu = (name, key = "cpu") => rounds.filter((r) => r.condition === name).reduce((sum, r) => sum + r[key], 0);
  const quietCpuPerSecond = cpu("quiet") / seconds("quiet");
  const results = CONDITIONS.map((condition) => {
    const sorted = Float64Array.from(valid.latencies[condition]).sort();
    const floods = rounds.filter((r) => r.condition === condition && r.flood).map((r) => r.flood);
    const floodRequests = floods.reduce((sum, f) => sum + Object.values(f.statuses).reduce((a, b) => a + b, 0), 0);
    const statuses = {};
    for (const f of floods)
      for (const [status, n] of Object.entries(f.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    // The flood's share of the server's CPU: what the round used beyond the quiet rounds' rate.
    const floodCpu = cpu(condition) - quietCpuPerSecond * seconds(condition);
    return {
      condition,
      acks: sorted.length,
      p50Ms: round(percentile(sorted, 0.5), 2),
      p99Ms: round(percentile(sorted, 0.99), 2),
      maxMs: round(sorted.at(-1) ?? 0, 2),
      serverCpuPercent: round((cpu(condition) / seconds(condition)) * 100),
      otherCpuPercent: round((cpu(condition, "other") / seconds(condition)) * 100),
      floodPerSecond: floodRequests === 0 ? null : round(floodRequests / seconds(condition)),
      floodMegabytesPerSecond:
        floodRequests === 0 ? null : round((floodRequests * bodyBytes) / 1e6 / seconds(condition)),
      floodStatuses: statuses,
      floodErrors: floods.reduce((sum, f) => sum + f.errors, 0),
      serverCpuMsPerFloodRequest: floodRequests === 0 ? null : round((floodCpu * 1000) / floodRequests, 2),
    };
  });
  const quiet = results[0];
  for (const r of results) r.p99VsQuiet = round(r.p99Ms / quiet.p99Ms, 2);
  table(
    [
      ["condition", (r) => r.condition],
      ["signed acks", (r) => String(r.acks)],
      ["p50 ms", (r) => r.p50Ms.toFixed(2)],
      ["p99 ms", (r) => r.p99Ms.toFixed(2)],
      ["p99 vs quiet", (r) => `${r.p99VsQuiet.toFixed(2)}×`],
      ["flood req/s", (r) => (r.floodPerSecond === null ? "-" : String(r.floodPerSecond))],
      ["flood MB/s", (r) => (r.floodMegabytesPerSecond === null ? "-" : String(r.floodMegabytesPerSecond))],
      [
        "flood answers",
        (r) =>
          Object.entries(r.floodStatuses)
            .map(([s, n]) => `${n}×${s}`)
            .join(" ") || "-",
      ],
      ["server CPU", (r) => `${r.serverCpuPercent}%`],
      ["CPU/flood req", (r) => (r.serverCpuMsPerFloodRequest === null ? "-" : `${r.serverCpuMsPerFloodRequest} ms`)],
      ["other CPU", (r) => `${r.otherCpuPercent}%`],
    ],
    results,
  );
  const forged = results.find((r) => r.condition === "forged");
  console.log(
    `  signed deliveries' p99: ${quiet.p99Ms} ms without a flood, ${forged.p99Ms} ms under the forged flood: ${forged.p99VsQuiet}×`,
  );
  if (valid.connectionErrors.length > 0) {
    console.log(`  connection errors on signed deliveries: ${valid.connectionErrors.join(", ")}`);
  }
  if (valid.refused.length > 0) {
    const statuses = [...new Set(valid.refused)].join(", ");
    console.log(`  NOT ACKNOWLEDGED: ${valid.refused.length} signed deliveries (${statuses})`);
  }
  const { databaseUrl: _, ...shown } = config;
  const connectionErrors = valid.connectionErrors.length;
  console.log(`\n${JSON.stringify({ bench: "receive/flood", ...shown, connectionErrors, results })}`);
  return valid.refused.length === 0;
}
