// `npm run bench`: the receive bench at several connection counts (bare baseline, both engines and the
// stripe-sync-engine peer), the worker bench (with graphile-worker as its baseline) and the mirror bench, each
// as a child process, one after the other; their JSON lines become bench/RESULTS.md and the throughput plot.
// Prints figures; exits non-zero when a bench failed or reported a correctness fault. With `--soak <duration>` it
// runs bench/soak alone instead.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { lineChartSvg } from "./plot-svg.mjs";
import { positiveEnv } from "./receive/processes.mjs";
import { addRatios, resultsMarkdown } from "./results-md.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const list = (name, fallback) => (process.env[name] ?? fallback).split(",").map((item) => item.trim());

const config = {
  connections: list("BENCH_ALL_CONNECTIONS", "1,4,16,64").map(Number),
  receiveTargets: list("BENCH_RECEIVE_TARGETS", "bare,postgres,pglite,sync-engine").join(","),
  duration: positiveEnv("BENCH_DURATION", 5),
  warmup: positiveEnv("BENCH_WARMUP", 2),
  workerEvents: positiveEnv("BENCH_WORKER_EVENTS", 10_000),
  mirrorEvents: positiveEnv("BENCH_MIRROR_EVENTS", 10_000),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  rounds: positiveEnv("BENCH_ALL_ROUNDS", 3),
  outDir: process.env.BENCH_OUT_DIR ?? HERE,
};
const SVG_NAME = "receive-throughput.svg";

/** Runs a bench script, its output passed through; resolves with its JSON line (null if none) and exit code. */
function runBench(label, script, env) {
  console.log(`\n=== ${label}`);
  // Every knob set here, so that none leaks from one bench's environment into another's.
  const childEnv = { ...process.env, ...env };
  for (const name of ["BENCH_TARGETS", "BENCH_EVENTS", "BENCH_CONNECTIONS"]) if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, [join(HERE, script)], { env: childEnv, stdio: ["ignore", "pipe", "inherit"] });
  let json = null;
  let pending = "";
  child.stdout.on("data", (chunk) => {
    process.stdout.write(chunk);
    const lines = (pending + chunk).split("\n");
    pending = lines.pop();
    for (const line of lines) if (line.startsWith('{"bench":')) json = JSON.parse(line);
  });
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      if (pending.startsWith('{"bench":')) json = JSON.parse(pending);
      resolve({ json, code: code ?? signal });
    }),
  );
}

async function postgresVersion() {
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: "stripe-inbox-bench" });
  await client.connect();
  try {
    const show = async (name) => (await client.query(`SHOW ${name}`)).rows[0][name];
    return `${await show("server_version")} (fsync ${await show("fsync")}, synchronous_commit ${await show("synchronous_commit")}, autovacuum ${await show("autovacuum")})`;
  } finally {
    await client.end();
  }
}

// `npm run bench -- --soak 10m`: the soak bench alone (bench/soak), instead of the report.
const soakAt = process.argv.findIndex((arg) => arg === "--soak" || arg.startsWith("--soak="));
if (soakAt !== -1) {
  const given = process.argv[soakAt].split("=")[1] ?? process.argv[soakAt + 1];
  const soak = spawn(process.execPath, [join(HERE, "soak/run.mjs"), given ?? "10m"], { stdio: "inherit" });
  // A terminal's Ctrl-C reaches the soak itself, which stops serve and drops its schema; a SIGTERM is passed on.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => soak.kill("SIGTERM"));
  const [code, signal] = await new Promise((resolve) => soak.on("exit", (...ended) => resolve(ended)));
  process.exit(code ?? (signal ? 1 : 0));
}

const started = Date.now();
const loadBefore = loadavg()[0];
const postgres = await postgresVersion();
const failures = [];
const check = (label, { json, code }) => {
  if (code !== 0) failures.push(`${label} exited with ${code}${json ? "" : " and printed no figures"}`);
  return json;
};

/** One round: the receive sweep over every connection count, then the worker and mirror benches. */
async function round(number) {
  const of = config.rounds > 1 ? ` (round ${number} of ${config.rounds})` : "";
  const receive = [];
  for (const connections of config.connections) {
    const label = `receive, ${connections} connections${of}`;
    const env = {
      BENCH_CONNECTIONS: String(connections),
      BENCH_TARGETS: config.receiveTargets,
      BENCH_DURATION: String(config.duration),
      BENCH_WARMUP: String(config.warmup),
    };
    receive.push({ connections, report: check(label, await runBench(label, "receive/run.mjs", env)) });
  }
  const worker = check(
    `worker${of}`,
    await runBench(`worker${of}`, "worker/run.mjs", { BENCH_EVENTS: String(config.workerEvents) }),
  );
  const mirror = check(
    `mirror${of}`,
    await runBench(`mirror${of}`, "mirror/run.mjs", { BENCH_EVENTS: String(config.mirrorEvents) }),
  );
  addRatios({ receive, mirror });
  return { receive, worker, mirror };
}

// Rounds one after the other, each whole: a slow spell of the machine falls on every target of one round alike.
const rounds = [];
for (let number = 1; number <= config.rounds; number++) rounds.push(await round(number));

const machine = {
  date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  minutes: (Date.now() - started) / 60_000,
  cores: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGb: totalmem() / 2 ** 30,
  node: process.version,
  postgres,
  loadBefore,
  loadAfter: loadavg()[0],
};
const settings =
  `receive ${config.duration} s measured after ${config.warmup} s of warm-up per target, targets ${config.receiveTargets}; ` +
  `worker ${config.workerEvents.toLocaleString("en-US")} events per Postgres run; mirror ${config.mirrorEvents.toLocaleString("en-US")} events; ` +
  `${config.rounds} round${config.rounds === 1 ? "" : "s"}, each all of the above in turn`;
const median = (values) => {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
};
const targets = [
  ...new Set(rounds.flatMap((r) => r.receive.flatMap((run) => run.report?.results.map((row) => row.target) ?? []))),
];
const svg = lineChartSvg({
  title: `Acknowledged deliveries/s against connections (${machine.cores} cores, median of ${config.rounds} round${config.rounds === 1 ? "" : "s"})`,
  xLabel: "concurrent connections",
  yLabel: "acked/s (log scale)",
  xs: config.connections,
  series: targets.map((name) => ({
    name,
    points: config.connections.flatMap((x) => {
      const y = median(
        rounds.map(
          (r) =>
            r.receive.find((run) => run.connections === x)?.report?.results.find((row) => row.target === name)?.rate,
        ),
      );
      return y === null ? [] : [{ x, y }];
    }),
  })),
});
writeFileSync(join(config.outDir, SVG_NAME), svg);
const resultsPath = join(config.outDir, "RESULTS.md");
writeFileSync(resultsPath, resultsMarkdown({ machine, settings, rounds, failures, svgName: basename(SVG_NAME) }));
console.log(`\nbench: wrote ${resultsPath} and ${SVG_NAME} in ${machine.minutes.toFixed(1)} minutes`);
if (failures.length > 0) console.log(`bench: failed: ${failures.join("; ")}`);
process.exit(failures.length > 0 ? 1 : 0);
