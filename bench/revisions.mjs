// bench/revisions: the receive and worker benches of two revisions, run in turn in the same session, so that a
// change's cost is a ratio to a baseline measured alongside it rather than to figures from another day.
// `node bench/revisions.mjs <base revision>`: each round runs this checkout's bench scripts against the base's build,
// then against this build; the table gives every round's ratio (this checkout over the base). The base is checked
// out and built in a temporary git worktree. BENCH_ROUNDS (3), BENCH_DURATION (seconds of receive,
// 12) and BENCH_EVENTS (events the worker drains, 30,000) set the run's length.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { positiveEnv } from "./receive/processes.mjs";

const HEAD_TREE = fileURLToPath(new URL("..", import.meta.url));
const base = process.argv[2];
if (!base) {
  console.error("usage: node bench/revisions.mjs <base revision>   (BENCH_ROUNDS=3)");
  process.exit(2);
}
const rounds = positiveEnv("BENCH_ROUNDS", 3);

/** What each round runs, with the figures read from its JSON line: [label, script, env, figures(json)]. */
const BENCHES = [
  [
    "receive",
    "bench/receive/run.mjs",
    { BENCH_TARGETS: "postgres,pglite", BENCH_DURATION: process.env.BENCH_DURATION ?? "12", BENCH_WARMUP: "3" },
    (json) =>
      json.results.flatMap((r) => [
        [`receive ${r.target} acked/s`, r.rate],
        [`receive ${r.target} p99 ms`, r.p99Ms],
        [`receive ${r.target} server CPU µs/ack`, r.serverCpuUsPerAck],
        ...(r.databaseCpuUsPerAck === null ? [] : [[`receive ${r.target} db CPU µs/ack`, r.databaseCpuUsPerAck]]),
      ]),
  ],
  [
    "worker",
    "bench/worker/run.mjs",
    {
      BENCH_TARGETS: "postgres,pglite",
      BENCH_PHASES: "throughput",
      BENCH_WORKERS: "1,2",
      BENCH_EVENTS: process.env.BENCH_EVENTS ?? "30000",
    },
    (json) =>
      json.throughput.flatMap((t) => [
        [`worker ${t.engine} ×${t.workers} events/s`, t.rate],
        [`worker ${t.engine} ×${t.workers} worker CPU µs/event`, t.workerCpuUsPerEvent],
        [`worker ${t.engine} ×${t.workers} db CPU µs/event`, t.databaseCpuUsPerEvent],
      ]),
  ],
];

function git(...args) {
  return execFileSync("git", ["-C", HEAD_TREE, ...args], { encoding: "utf8" }).trim();
}

/** The base revision built in a worktree of its own that shares this checkout's node_modules. */
function prepareBase() {
  const dir = mkdtempSync(join(tmpdir(), "stripe-inbox-base-"));
  git("worktree", "add", "--detach", dir, base);
  symlinkSync(join(HEAD_TREE, "node_modules"), join(dir, "node_modules"));
  // The same bench scripts measure both builds: this checkout's, copied over the base's (each uses its tree's dist/).
  cpSync(join(HEAD_TREE, "bench"), join(dir, "bench"), { recursive: true, force: true });
  console.log(`building ${base} (${git("rev-parse", "--short", base)}) in ${dir}`);
  execFileSync("npm", ["run", "--silent", "build"], { cwd: dir, stdio: "inherit" });
  return dir;
}

/** Runs one bench script of one tree; resolves with its figures. Its output is kept out of the way. */
function runBench(tree, [label, script, env, figures]) {
  const child = spawn(process.execPath, [join(tree, script)], {
    cwd: tree,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => {
      const line = output.split("\n").find((text) => text.startsWith('{"bench":'));
      if (code !== 0 || !line) reject(new Error(`${label} in ${tree} exited with ${code}:\n${output.slice(-4000)}`));
      else resolve(new Map(figures(JSON.parse(line))));
    }),
  );
}

const range = (values) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}-${high}`;
};

const baseTree = prepareBase();
const cleanup = () => {
  git("worktree", "remove", "--force", baseTree);
  rmSync(baseTree, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

try {
  /** figure name → { base: number[], head: number[], ratio: number[] } */
  const figures = new Map();
  for (let round = 1; round <= rounds; round++) {
    for (const bench of BENCHES) {
      const baseFigures = await runBench(baseTree, bench);
      const headFigures = await runBench(HEAD_TREE, bench);
      for (const [name, value] of headFigures) {
        const before = baseFigures.get(name);
        if (before === undefined || before === null || value === null) continue;
        const entry = figures.get(name) ?? { base: [], head: [], ratio: [] };
        entry.base.push(before);
        entry.head.push(value);
        entry.ratio.push(Math.round((value / before) * 100) / 100);
        figures.set(name, entry);
      }
      console.log(`round ${round}/${rounds}: ${bench[0]} done`);
    }
  }
  console.log(`\nthis checkout (${git("rev-parse", "--short", "HEAD")}) against ${base}, ${rounds} rounds in turn`);
  console.log("| figure | base | this checkout | ratio per round |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name, entry] of figures) {
    console.log(`| ${name} | ${range(entry.base)} | ${range(entry.head)} | ${entry.ratio.join(", ")} |`);
  }
} finally {
  cleanup();
}
