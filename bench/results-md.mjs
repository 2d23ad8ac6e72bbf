// bench/RESULTS.md from the JSON lines of one `npm run bench`: the machine, then every figure beside its same-run
// baseline, as the range over the rounds in the summary and round by round in the tables. Figures only; what they
// mean is for bench/README.md.

const num = (value, digits = 0) =>
  value === null || value === undefined
    ? "-"
    : Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (value) => (value === null || value === undefined ? "-" : `${num(value, 2)}×`);
const percent = (value) => (value === null || value === undefined ? "-" : `${num(value * 100)} %`);
const unit = (value, suffix, digits = 0) =>
  value === null || value === undefined ? "-" : `${num(value, digits)} ${suffix}`;
/** The lowest and highest of the values ("a-b", or "a" when they agree at that precision), with a suffix. */
const spread = (values, { digits = 0, suffix = "" } = {}) => {
  const known = values.filter((v) => v !== null && v !== undefined).map(Number);
  if (known.length === 0) return "-";
  const [low, high] = [num(Math.min(...known), digits), num(Math.max(...known), digits)];
  return `${low === high ? low : `${low}-${high}`}${suffix}`;
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

const ROUND = ["round", (r) => num(r.round)];

const RECEIVE = [
  ["target", (r) => `\`${r.target}\``],
  ROUND,
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
  ROUND,
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
  ROUND,
  ["wake-up", (r) => r.wakeUp],
  ["events", (r) => num(r.events)],
  ["ack→start p50", (r) => unit(r.ackToStart.p50, "ms", 2)],
  ["ack→start p99", (r) => unit(r.ackToStart.p99, "ms", 2)],
  ["ack p50", (r) => unit(r.ack.p50, "ms", 2)],
];

const MIRROR = [
  ["handler", (r) => r.handler],
  ROUND,
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

/** Each round's rows of one kind, every row marked with its round (1-based), in the order of `key`, then the round. */
function roundRows(rounds, rowsOf, key) {
  const rows = rounds.flatMap((r, i) => (rowsOf(r) ?? []).map((row) => ({ ...row, round: i + 1 })));
  const order = [...new Set(rows.map(key))];
  return rows.sort((a, b) => order.indexOf(key(a)) - order.indexOf(key(b)) || a.round - b.round);
}

/**
 * `rounds`: [{ receive, worker, mirror }], one per round: `receive` is [{ connections, report }] (report null when
 * that run failed), `worker` and `mirror` a report or null.
 */
export function resultsMarkdown({ machine, settings, rounds, failures, svgName }) {
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
  const others = rounds.flatMap(({ receive, worker, mirror }) => [
    ...receive.flatMap((run) => run.report?.results.map((r) => r.otherCpuPercent) ?? []),
    ...(worker?.throughput.map((r) => r.otherCpuPercent) ?? []),
    ...(mirror?.results.map((r) => r.otherCpuPercent) ?? []),
  ]);
  out.push(
    `Load average ${num(machine.loadBefore, 2)} before and ${num(machine.loadAfter, 2)} after, on ${machine.cores} cores; ` +
      `"other CPU", what ran besides the measured processes, was ${spread(others, { suffix: " %" })} of a core during ` +
      "the measured phases. Rates move with such other work from run to run; CPU per ack or per event moves much less " +
      "and is the figure to compare between runs.",
    "",
    `Settings: ${settings}.`,
    "",
  );
  if (failures.length > 0) out.push(`**Failed runs**: ${failures.join("; ")}.`, "");
  out.push(
    "## Summary",
    "",
    `Each figure is the range over the ${rounds.length} round${rounds.length === 1 ? "" : "s"}, lowest-highest.`,
    "",
    ...summary(rounds),
    "",
  );

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
  const connections = [...new Set(rounds.flatMap((r) => r.receive.map((run) => run.connections)))];
  const receiveRows = (count) => (r) => r.receive.find((run) => run.connections === count)?.report?.results;
  const targets = [
    ...new Set(rounds.flatMap((r) => r.receive.flatMap((run) => run.report?.results.map((row) => row.target) ?? []))),
  ];
  out.push(
    markdownTable(
      [
        ["acked/s", (target) => `\`${target}\``],
        ...connections.map((count) => [
          `${count} conn.`,
          (target) => spread(rounds.map((r) => receiveRows(count)(r)?.find((row) => row.target === target)?.rate)),
        ]),
      ],
      targets,
    ),
    "",
  );
  for (const count of connections) {
    const rows = roundRows(rounds, receiveRows(count), (r) => r.target);
    if (rows.length === 0) continue;
    out.push(`### ${count} connection${count === 1 ? "" : "s"}`, "", markdownTable(RECEIVE, rows), "");
  }

  out.push("## Worker", "");
  const workerRows = roundRows(
    rounds,
    (r) => r.worker?.throughput,
    (r) => `${r.engine} ${r.workers}`,
  );
  if (workerRows.length > 0) {
    out.push(
      "No-op handler on stored events; `graphile-worker` is the same-run baseline: no-op jobs on the same Postgres, " +
        "as many worker processes and slots per process as the inbox's workers. **vs graphile-worker** is the Postgres " +
        "rate over graphile-worker's at the same worker count. PGlite's workers are loops sharing one store in one " +
        "process, whose CPU holds the database's.",
      "",
      markdownTable(WORKER, workerRows),
      "",
      markdownTable(
        LATENCY,
        roundRows(
          rounds,
          (r) => r.worker?.latency,
          (r) => `${r.target} ${r.wakeUp}`,
        ),
      ),
      "",
    );
  }
  out.push("## Mirror", "");
  const mirrorRows = roundRows(
    rounds,
    (r) => r.mirror?.results,
    (r) => `${r.handler} ${r.workers}`,
  );
  if (mirrorRows.length > 0) {
    out.push(
      "`stripe-inbox worker --mirror` against the same events through a no-op handler in the same run.",
      "",
      markdownTable(MIRROR, mirrorRows),
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** The spread of one field over rows (one per round, a missing round's row undefined). */
const of = (rows, field, options) =>
  spread(
    rows.map((r) => r?.[field]),
    options,
  );

/** The headline figures, each the range over the rounds, beside its same-run baseline's range. */
function summary(rounds) {
  const lines = [];
  const at = (run, target) => run?.report?.results.find((r) => r.target === target);
  const lastRun = (r) => r.receive.findLast((run) => run.report);
  const connections = lastRun(rounds[0] ?? { receive: [] })?.connections;
  for (const target of ["postgres", "pglite"]) {
    const rows = rounds.map((r) => at(lastRun(r), target)).filter(Boolean);
    if (rows.length === 0) continue;
    const bare = rounds.map((r) => at(lastRun(r), "bare"));
    const peer = rounds.map((r) => at(lastRun(r), "sync-engine"));
    const ratios = rounds.flatMap((r) => r.receive.map((run) => at(run, target)?.ratioToSyncEngine));
    const dbCpu = rows.some((r) => r.databaseCpuUsPerAck !== null)
      ? ` + ${of(rows, "databaseCpuUsPerAck", { suffix: " µs" })} Postgres`
      : "";
    lines.push(
      `- Receive, \`${target}\` at ${connections} connections: ${of(rows, "rate")} acked/s, ` +
        `${spread(
          rows.map((r) => r.ratioToBare * 100),
          { suffix: " %" },
        )} of the bare server's ${of(bare, "rate")}/s, ` +
        `${of(rows, "ratioToSyncEngine", { digits: 2, suffix: "×" })} sync-engine's ${of(peer, "rate")}/s; ` +
        `p50 ${of(rows, "p50Ms", { digits: 1, suffix: " ms" })}, p99 ${of(rows, "p99Ms", { digits: 1, suffix: " ms" })}, ` +
        `peak RSS ${of(rows, "peakRssMb", { suffix: " MB" })}; CPU per ack ${of(rows, "serverCpuUsPerAck", { suffix: " µs" })}` +
        `${dbCpu}, sync-engine's ${of(peer, "serverCpuUsPerAck", { suffix: " µs" })} + ` +
        `${of(peer, "databaseCpuUsPerAck", { suffix: " µs" })} Postgres; against sync-engine ` +
        `${spread(ratios, { digits: 2, suffix: "×" })} over every connection count.`,
    );
  }
  const workerCounts = [
    ...new Set(
      rounds
        .flatMap((r) => r.worker?.throughput.filter((row) => row.ratioToGraphileWorker) ?? [])
        .map((row) => row.workers),
    ),
  ];
  for (const workers of workerCounts) {
    const pick = (engine) =>
      rounds.map((r) => r.worker?.throughput.find((row) => row.engine === engine && row.workers === workers));
    const ours = pick("postgres");
    const peer = pick("graphile-worker");
    lines.push(
      `- Worker, ${workers} process${workers === 1 ? "" : "es"}: ${of(ours, "rate")} events/s against graphile-worker's ` +
        `${of(peer, "rate")} jobs/s, ${of(ours, "ratioToGraphileWorker", { digits: 2, suffix: "×" })}; CPU per event ` +
        `${of(ours, "workerCpuUsPerEvent", { suffix: " µs" })} worker + ${of(ours, "databaseCpuUsPerEvent", { suffix: " µs" })} ` +
        `Postgres, against ${of(peer, "workerCpuUsPerEvent", { suffix: " µs" })} + ${of(peer, "databaseCpuUsPerEvent", { suffix: " µs" })}.`,
    );
  }
  const mirrors = rounds.flatMap((r) => r.mirror?.results.filter((row) => row.ratioToNoop) ?? []);
  for (const workers of [...new Set(mirrors.map((row) => row.workers))]) {
    const rows = mirrors.filter((row) => row.workers === workers);
    lines.push(
      `- Mirror, ${workers} workers: ${spread(rows.map((r) => r.rate))} events/s, ` +
        `${spread(
          rows.map((r) => r.ratioToNoop * 100),
          { suffix: " %" },
        )} of the no-op handler's rate in the same round.`,
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
