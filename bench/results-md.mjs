// bench/RESULTS.md from the JSON lines of one `npm run bench`: the machine, then every figure beside its same-run
// baseline. Figures only; what they mean is for bench/README.md.

const num = (value, digits = 0) =>
  value === null || value === undefined
    ? "-"
    : Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (value) => (value === null || value === undefined ? "-" : `${num(value, 2)}×`);
const percent = (value) => (value === null || value === undefined ? "-" : `${num(value * 100)} %`);
const unit = (value, suffix, digits = 0) =>
  value === null || value === undefined ? "-" : `${num(value, digits)} ${suffix}`;
const range = (values) => {
  const known = values.filter((v) => v !== null && v !== undefined);
  return known.length === 0 ? "-" : `${num(Math.min(...known))}-${num(Math.max(...known))} %`;
};

/** A table padded as the formatter lays it out: the first column (or every one, `allLeft`) left-aligned, the rest right. */
function markdownTable(columns, rows, { allLeft = false } = {}) {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => String(cell(row))))];
  const widths = columns.map((_, i) => Math.max(3, ...cells.map((line) => line[i].length)));
  const left = (i) => allLeft || i === 0;
  const line = (values) =>
    `| ${values.map((v, i) => (left(i) ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (left(i) ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

const RECEIVE = [
  ["target", (r) => `\`${r.target}\``],
  ["acked/s", (r) => num(r.rate)],
  ["vs bare", (r) => percent(r.ratioToBare)],
  ["vs sync-engine", (r) => ratio(r.ratioToSyncEngine)],
  ["p50", (r) => unit(r.p50Ms, "ms", 1)],
  ["p99", (r) => unit(r.p99Ms, "ms", 1)],
  ["non-2xx", (r) => num(r.non2xx + r.errors)],
  ["peak RSS", (r) => unit(r.peakRssMb, "MB")],
  ["server CPU/ack", (r) => unit(r.serverCpuUsPerAck, "µs")],
  ["db CPU/ack", (r) => unit(r.databaseCpuUsPerAck, "µs")],
  ["loader CPU", (r) => `${num(r.loaderCpuPercent)} %`],
  ["other CPU", (r) => `${num(r.otherCpuPercent)} %`],
  [
    "stored = 2xx",
    (r) => (r.storedEvents === null ? "-" : r.storedEvents === r.ok2xxTotal ? "yes" : `NO (${r.storedEvents})`),
  ],
];

const WORKER = [
  ["engine", (r) => `\`${r.engine}\``],
  ["workers", (r) => num(r.workers)],
  ["events", (r) => num(r.events)],
  ["events/s", (r) => num(r.rate)],
  ["vs graphile-worker", (r) => ratio(r.ratioToGraphileWorker)],
  ["worker CPU/event", (r) => unit(r.workerCpuUsPerEvent, "µs")],
  ["db CPU/event", (r) => unit(r.databaseCpuUsPerEvent, "µs")],
  ["other CPU", (r) => (r.otherCpuPercent === null ? "-" : `${num(r.otherCpuPercent)} %`)],
  ["peak RSS", (r) => unit(r.peakRssMb, "MB")],
  ["all succeeded", (r) => (r.succeededRuns === r.events && r.runs === r.events ? "yes" : "NO")],
];

const LATENCY = [
  ["target", (r) => `\`${r.target}\``],
  ["wake-up", (r) => r.wakeUp],
  ["events", (r) => num(r.events)],
  ["ack→start p50", (r) => unit(r.ackToStart.p50, "ms", 2)],
  ["ack→start p99", (r) => unit(r.ackToStart.p99, "ms", 2)],
  ["ack p50", (r) => unit(r.ack.p50, "ms", 2)],
];

const MIRROR = [
  ["handler", (r) => r.handler],
  ["workers", (r) => num(r.workers)],
  ["events", (r) => num(r.events)],
  ["events/s", (r) => num(r.rate)],
  ["vs noop", (r) => percent(r.ratioToNoop)],
  ["worker CPU/event", (r) => unit(r.workerCpuUsPerEvent, "µs")],
  ["db CPU/event", (r) => unit(r.databaseCpuUsPerEvent, "µs")],
  ["other CPU", (r) => `${num(r.otherCpuPercent)} %`],
  ["peak RSS", (r) => unit(r.peakRssMb, "MB")],
  ["mirror newest", (r) => (r.mirror ? `${num(r.mirror.holdingNewest)}/${num(r.mirror.objects)}` : "-")],
];

/** `receive`: [{ connections, report }] (report null when that run failed); `worker`, `mirror`: a report or null. */
export function resultsMarkdown({ machine, settings, receive, worker, mirror, failures, svgName }) {
  const out = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\` (bench/all.mjs) on ${machine.date}, in ${num(machine.minutes, 1)} minutes. Every ratio ` +
      "compares figures taken in this same run; how each figure is measured is in [README.md](README.md).",
    "",
    "## Machine",
    "",
    markdownTable(
      [
        ["", (row) => row[0]],
        ["", (row) => row[1]],
      ],
      [
        ["cores", `${machine.cores} (${machine.cpuModel})`],
        ["memory", `${num(machine.memoryGb, 1)} GB`],
        ["Node", machine.node],
        ["Postgres", machine.postgres],
        ["load average (1 min)", `${num(machine.loadBefore, 2)} before, ${num(machine.loadAfter, 2)} after`],
      ],
      { allLeft: true },
    ),
    "",
  ];
  const others = [
    ...receive.flatMap((run) => run.report?.results.map((r) => r.otherCpuPercent) ?? []),
    ...(worker?.throughput.map((r) => r.otherCpuPercent) ?? []),
    ...(mirror?.results.map((r) => r.otherCpuPercent) ?? []),
  ];
  out.push(
    `The machine was shared with other work throughout (load average ${num(machine.loadBefore, 2)} before and ` +
      `${num(machine.loadAfter, 2)} after, on ${machine.cores} cores; "other CPU", what ran besides the measured processes, ` +
      `was ${range(others)} of a core during the measured phases). Rates move with that work from run to run; CPU per ` +
      "ack or per event moves much less and is the figure to compare between runs.",
    "",
    `Settings: ${settings}.`,
    "",
  );
  if (failures.length > 0) out.push(`**Failed runs**: ${failures.join("; ")}.`, "");
  out.push("## Summary", "", ...summary({ receive, worker, mirror }), "");

  out.push(
    "## Receive",
    "",
    "Signed Stripe events of 2-8 KB, each a new event id, from one autocannon process. `bare`: node:http answering " +
      "200 without verifying or storing (the ceiling of this machine and load generator); `postgres` and `pglite`: " +
      "`stripe-inbox serve`; `sync-engine`: the peer, @supabase/stripe-sync-engine's `processWebhook` inside each " +
      "request on the same Postgres. **vs sync-engine** is the row's rate over the peer's in the same run. **server " +
      "CPU/ack**: the serving process; **db CPU/ack**: its Postgres backends (PGlite runs inside the server); " +
      "**loader CPU**: the load generator, in % of a core.",
    "",
    `![acked/s against connections](${svgName})`,
    "",
  );
  const targets = [...new Set(receive.flatMap((run) => run.report?.results.map((r) => r.target) ?? []))];
  const byConnections = (target) =>
    receive.map((run) => run.report?.results.find((r) => r.target === target)?.rate ?? null);
  out.push(
    markdownTable(
      [
        ["acked/s", (row) => `\`${row.target}\``],
        ...receive.map((run, i) => [`${run.connections} conn.`, (row) => num(row.rates[i])]),
      ],
      targets.map((target) => ({ target, rates: byConnections(target) })),
    ),
    "",
  );
  for (const run of receive) {
    if (!run.report) continue;
    out.push(
      `### ${run.connections} connection${run.connections === 1 ? "" : "s"}`,
      "",
      markdownTable(RECEIVE, run.report.results),
      "",
    );
  }

  out.push("## Worker", "");
  if (worker) {
    out.push(
      "No-op handler on stored events; `graphile-worker` is the same-run baseline: no-op jobs on the same Postgres, " +
        "as many worker processes and slots per process as the inbox's workers. **vs graphile-worker** is the Postgres " +
        "rate over graphile-worker's at the same worker count. PGlite's workers are loops sharing one store in one " +
        "process, whose CPU holds the database's.",
      "",
      markdownTable(WORKER, worker.throughput),
      "",
      markdownTable(LATENCY, worker.latency),
      "",
    );
  }
  out.push("## Mirror", "");
  if (mirror) {
    out.push(
      "`stripe-inbox worker --mirror` against the same events through a no-op handler in the same run.",
      "",
      markdownTable(MIRROR, mirror.results),
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

const cpuPerAck = (r) =>
  r
    ? `${unit(r.serverCpuUsPerAck, "µs")}${r.databaseCpuUsPerAck === null ? "" : ` + ${unit(r.databaseCpuUsPerAck, "µs")} Postgres`}`
    : "-";

/** The headline figures, each with its same-run baseline. */
function summary({ receive, worker, mirror }) {
  const lines = [];
  const at = (run, target) => run.report?.results.find((r) => r.target === target);
  const last = receive.findLast((run) => run.report);
  for (const target of ["postgres", "pglite"]) {
    const r = last && at(last, target);
    if (!r) continue;
    const ratios = receive
      .map((run) => at(run, target)?.ratioToSyncEngine)
      .filter((v) => v !== null && v !== undefined);
    lines.push(
      `- Receive, \`${target}\` at ${last.connections} connections: ${num(r.rate)} acked/s, ${percent(r.ratioToBare)} of ` +
        `the bare server's ${num(at(last, "bare")?.rate)}/s, ${ratio(r.ratioToSyncEngine)} sync-engine's ` +
        `${num(at(last, "sync-engine")?.rate)}/s; p50 ${unit(r.p50Ms, "ms", 1)}, p99 ${unit(r.p99Ms, "ms", 1)}, peak RSS ` +
        `${unit(r.peakRssMb, "MB")}; CPU per ack ${cpuPerAck(r)}, sync-engine's ${cpuPerAck(at(last, "sync-engine"))}` +
        (ratios.length > 1
          ? `; against sync-engine ${num(Math.min(...ratios), 2)}-${num(Math.max(...ratios), 2)}× over ${receive.map((run) => run.connections).join(", ")} connections.`
          : "."),
    );
  }
  for (const r of worker?.throughput.filter((row) => row.ratioToGraphileWorker) ?? []) {
    const peer = worker.throughput.find((row) => row.engine === "graphile-worker" && row.workers === r.workers);
    lines.push(
      `- Worker, ${r.workers} process${r.workers === 1 ? "" : "es"}: ${num(r.rate)} events/s against graphile-worker's ` +
        `${num(peer.rate)} jobs/s, ${ratio(r.ratioToGraphileWorker)}; CPU per event ${unit(r.workerCpuUsPerEvent, "µs")} ` +
        `worker + ${unit(r.databaseCpuUsPerEvent, "µs")} Postgres, against ${unit(peer.workerCpuUsPerEvent, "µs")} + ` +
        `${unit(peer.databaseCpuUsPerEvent, "µs")}.`,
    );
  }
  for (const r of mirror?.results.filter((row) => row.ratioToNoop) ?? []) {
    lines.push(
      `- Mirror, ${r.workers} workers: ${num(r.rate)} events/s, ${percent(r.ratioToNoop)} of the no-op handler's rate in ` +
        "the same run.",
    );
  }
  return lines;
}

/** Ratios between rows of one run, added to the rows in place. */
export function addRatios({ receive, mirror }) {
  for (const run of receive) {
    const peer = run.report?.results.find((r) => r.target === "sync-engine");
    for (const r of run.report?.results ?? [])
      r.ratioToSyncEngine =
        peer && r !== peer && r.target !== "bare" ? Math.round((r.rate / peer.rate) * 100) / 100 : null;
  }
  for (const r of mirror?.results ?? []) {
    const noop = mirror.results.find((n) => n.handler === "noop" && n.workers === r.workers);
    r.ratioToNoop = noop && r !== noop ? r.rate / noop.rate : null;
  }
}
