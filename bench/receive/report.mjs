import { availableParallelism } from "node:os";

// The figures: a compact table, the checks that make them trustworthy, and one JSON line with everything.

const COLUMNS = [
  ["target", (r) => r.target],
  ["acked/s", (r) => r.rate.toLocaleString("en-US")],
  ["vs bare", (r) => (r.ratioToBare === null ? "-" : `${Math.round(r.ratioToBare * 100)}%`)],
  ["p50 ms", (r) => r.p50Ms.toFixed(2)],
  ["p99 ms", (r) => r.p99Ms.toFixed(2)],
  ["non-2xx", (r) => String(r.non2xx + r.errors)],
  ["peak RSS", (r) => `${r.peakRssMb} MB`],
  ["server CPU", (r) => `${r.serverCpuPercent}%`],
  ["server CPU/ack", (r) => `${r.serverCpuUsPerAck} µs`],
  ["db CPU/ack", (r) => (r.databaseCpuUsPerAck === null ? "-" : `${r.databaseCpuUsPerAck} µs`)],
  ["loader CPU", (r) => `${r.loaderCpuPercent}%`],
  ["other CPU", (r) => `${r.otherCpuPercent}%`],
  [
    "stored = 2xx",
    (r) => (r.storedEvents === null ? "-" : `${r.storedEvents === r.ok2xxTotal ? "yes" : "NO"} (${r.storedEvents})`),
  ],
];

/** Prints `results` as a table of `columns` ([title, cell of a result]), the first left-aligned, the rest right. */
export function table(columns, results) {
  const rows = [columns.map(([title]) => title), ...results.map((r) => columns.map(([, cell]) => cell(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  console.log("");
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")}`);
  console.log("");
}

/** Prints the report; returns false when an inbox stored a different number of events than it acknowledged. */
export function printReport(results, config) {
  const bare = results.find((r) => r.target === "bare");
  for (const r of results) r.ratioToBare = bare && r !== bare ? Math.round((r.rate / bare.rate) * 1000) / 1000 : null;

  table(COLUMNS, results);

  for (const r of results) {
    const failures = Object.entries(r.statuses).filter(([status]) => !status.startsWith("2"));
    if (failures.length > 0 || r.errors > 0) {
      const answers = failures.map(([status, count]) => `${count} × ${status}`).join(", ");
      console.log(
        `  ${r.target}: ${[answers, r.errors && `${r.errors} connection errors (${r.timeouts} timeouts)`].filter(Boolean).join(", ")}`,
      );
    }
  }

  let consistent = true;
  for (const r of results.filter((result) => result.storedEvents !== null)) {
    const same = r.storedEvents === r.ok2xxTotal && r.storedDeliveries === r.sentTotal;
    consistent &&= same;
    console.log(
      `  ${r.target}: ${r.storedEvents} events stored for ${r.ok2xxTotal} 2xx answers, ${r.storedDeliveries} delivery rows for ` +
        `${r.sentTotal} requests (warm-up included) ${same ? "- consistent" : "- MISMATCH"}`,
    );
  }

  const inboxes = results.filter((r) => r !== bare);
  if (bare && inboxes.length > 0) {
    const best = Math.max(...inboxes.map((r) => r.rate));
    const busiest = Math.max(...inboxes.map((r) => r.loaderCpuPercent));
    console.log(
      `  load generator: the bare server took ${(bare.rate / best).toFixed(1)}× the best inbox rate from it ` +
        `(loader ${bare.loaderCpuPercent}% of a core, event loop ${Math.round(bare.loaderLoopUtilization * 100)}% busy there); ` +
        `against the inboxes it used at most ${busiest}% of a core.`,
    );
    if (bare.rate < 1.5 * best)
      console.log("  warning: the bare server is not far above the inbox; the load generator may be the limit.");
  }

  console.log(`\n${JSON.stringify({ bench: "receive", ...config, cores: availableParallelism(), results })}`);
  return consistent;
}
