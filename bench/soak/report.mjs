// What bench/soak prints: a line per sample while it runs, then the run's figures. Figures only, no thresholds.
import { clock } from "./prune-loop.mjs";

const COLUMNS = [
  ["time", 5],
  ["acked", 9],
  ["p50 ms", 8],
  ["p99 ms", 8],
  ["RSS MB", 6],
  ["size B", 12],
  ["events", 7],
  ["deliveries", 10],
  ["runs", 7],
  ["pruned ids", 10],
  ["backlog", 7],
];

const row = (cells) => cells.map((cell, index) => String(cell).padStart(COLUMNS[index][1])).join(" ");
const group = (n) => Math.round(n).toLocaleString("en-US");
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

export function percentile(values, fraction) {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** Least-squares slope of `value` against time, per minute. */
export function slopePerMinute(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / n;
  const meanV = points.reduce((sum, p) => sum + p.value, 0) / n;
  const covariance = points.reduce((sum, p) => sum + (p.t - meanT) * (p.value - meanV), 0);
  const variance = points.reduce((sum, p) => sum + (p.t - meanT) ** 2, 0);
  return (covariance / variance) * 60;
}

export function printHeader() {
  console.log(row(COLUMNS.map(([name]) => name)));
}

export function printSample(s) {
  const { rows } = s;
  console.log(
    row([
      clock(s.t),
      group(s.acked),
      s.p50Ms.toFixed(1),
      s.p99Ms.toFixed(1),
      s.rssMb,
      group(s.totalBytes),
      group(rows.events),
      group(rows.deliveries),
      group(rows.handler_runs),
      group(rows.pruned_event_ids),
      group(s.backlog),
    ]),
  );
}

const INBOX_TABLES = ["events", "deliveries", "handler_runs"];

/** The run's figures, computed once for both the printout and the JSON line. */
export function summarise({ samples, load, prunes, peakRssMb, durationSeconds }) {
  const first = samples[0];
  const last = samples.at(-1);
  const secondHalf = samples.filter((s) => s.t >= durationSeconds / 2);
  const inboxBytes = (s) => INBOX_TABLES.reduce((sum, name) => sum + (s.bytes[name] ?? 0), 0);
  const idsBytes = (s) => s.bytes.pruned_event_ids ?? 0;
  const done = prunes.filter((p) => !p.failed);
  return {
    sent: load.sent,
    acked: load.acked,
    non2xx: load.non2xx,
    errors: load.errors,
    duplicates: load.duplicates,
    ackedPerSecond: load.acked / load.seconds,
    finalBytes: last.totalBytes,
    peakBytes: Math.max(...samples.map((s) => s.totalBytes)),
    bytesPerMillionReceived: (last.totalBytes / load.acked) * 1e6,
    retainedBytesPerMillionRetained: last.rows.events > 0 ? (inboxBytes(last) / last.rows.events) * 1e6 : null,
    prunedIdBytesPerMillion:
      last.rows.pruned_event_ids > 0 ? (idsBytes(last) / last.rows.pruned_event_ids) * 1e6 : null,
    slopeBytesPerMinute: slopePerMinute(secondHalf.map((s) => ({ t: s.t, value: s.totalBytes }))),
    inboxSlopeBytesPerMinute: slopePerMinute(secondHalf.map((s) => ({ t: s.t, value: inboxBytes(s) }))),
    idsSlopeBytesPerMinute: slopePerMinute(secondHalf.map((s) => ({ t: s.t, value: idsBytes(s) }))),
    rssMb: { start: first.rssMb, peak: peakRssMb, end: last.rssMb },
    p50Ms: percentile(load.latencies, 0.5),
    p99Ms: percentile(load.latencies, 0.99),
    maxMs: percentile(load.latencies, 1),
    prunes: prunes.length,
    prunesFailed: prunes.length - done.length,
    prunedEvents: done.reduce((sum, p) => sum + p.removed.events, 0),
    pruneSecondsMax: Math.max(0, ...done.map((p) => p.seconds)),
    vacuumSecondsMax: Math.max(0, ...done.map((p) => p.vacuumSeconds ?? 0)),
    finalBytesByTable: last.bytes,
  };
}

export function printSummary(f, { vacuuming, check }) {
  const perMinute = (value) => (value === null ? "n/a (too few samples)" : `${group(value)} B/min`);
  const lines = [
    `events: ${group(f.acked)} acknowledged of ${group(f.sent)} sent (${f.ackedPerSecond.toFixed(1)}/s), ` +
      `${f.non2xx} non-2xx, ${f.errors} connection errors, ${f.duplicates} answered as duplicates`,
    `size: final ${group(f.finalBytes)} B (${mb(f.finalBytes)}), peak ${group(f.peakBytes)} B (${mb(f.peakBytes)})`,
    `  by table at the end: ${Object.entries(f.finalBytesByTable)
      .sort(([, a], [, b]) => b - a)
      .map(([name, bytes]) => `${name} ${(bytes / 1e6).toFixed(2)}`)
      .join(", ")} MB`,
    `size per million events received: ${mb(f.bytesPerMillionReceived)} (final size / events acknowledged)`,
    `retained size per million events retained: ${f.retainedBytesPerMillionRetained === null ? "n/a" : mb(f.retainedBytesPerMillionRetained)} ` +
      "(events, deliveries and handler_runs with their free space / events rows)",
    `pruned ids: ${f.prunedIdBytesPerMillion === null ? "n/a" : mb(f.prunedIdBytesPerMillion)} per million ids kept ` +
      "(kept 3 days past their cut, so this table grows through any shorter run)",
    `slope over the second half: ${perMinute(f.slopeBytesPerMinute)} in all; ` +
      `${perMinute(f.inboxSlopeBytesPerMinute)} events + deliveries + handler_runs, ${perMinute(f.idsSlopeBytesPerMinute)} pruned_event_ids`,
    `serve RSS: start ${f.rssMb.start} MB, peak ${f.rssMb.peak} MB (VmHWM), end ${f.rssMb.end} MB`,
    `ack latency over the run: p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms, max ${f.maxMs.toFixed(1)} ms`,
    `prunes: ${f.prunes} (${f.prunesFailed} failed), ${group(f.prunedEvents)} events removed, longest ${f.pruneSecondsMax.toFixed(1)} s` +
      (vacuuming ? `; VACUUM after each, longest ${f.vacuumSecondsMax.toFixed(1)} s` : ""),
    `acknowledged events now: ${Object.entries(check.places)
      .map(([place, n]) => `${group(n)} ${place}`)
      .join(", ")}`,
    `nothing lost: ${check.places.missing ?? 0} acknowledged events neither stored nor pruned` +
      (check.missingIds.length > 0 ? ` (first: ${check.missingIds.join(", ")})` : ""),
    `handler writes committed: ${group(check.handlerWrites)}, runs succeeded (pruned included): ${group(check.runsSucceeded)}`,
  ];
  console.log(`\n${lines.join("\n")}`);
}
