// bench/receive: acknowledged deliveries/s, latency and peak RSS of `stripe-inbox serve` on Postgres and
// on PGlite, against a bare node:http server measured in the same run. Prints figures; never pass/fail on time.
// It exits non-zero only when the stored events do not match the 2xx answers, which is a correctness fault.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  cleanupOnExit,
  cpuSecondsIfAlive,
  forkNode,
  freePort,
  machineCpuSeconds,
  positiveEnv,
  startNode,
  stop,
  treeCpuSeconds,
  treePeakRssMb,
  waitUntilReady,
} from "./processes.mjs";
import { printReport } from "./report.mjs";
import { TARGETS } from "./targets.mjs";

const LOADER = fileURLToPath(new URL("./load.mjs", import.meta.url));
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const SIGNATURE_TOLERANCE_SECONDS = 300;

const config = {
  durationSeconds: positiveEnv("BENCH_DURATION", 10),
  warmupSeconds: positiveEnv("BENCH_WARMUP", 3),
  connections: positiveEnv("BENCH_CONNECTIONS", 64),
  targets: (process.env.BENCH_TARGETS ?? "bare,postgres,pglite").split(",").map((name) => name.trim()),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  logLevel: process.env.STRIPE_INBOX_LOG_LEVEL ?? "info",
  // Node flags for the servers only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles" to profile them.
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean),
};

const { cleanups, finish } = cleanupOnExit("bench/receive", "stopping the servers and removing their stores");

async function benchTarget(name, secret) {
  const target = await TARGETS[name](config);
  cleanups.push(target.cleanup);
  const env = { ...target.env, STRIPE_WEBHOOK_SECRET: secret, STRIPE_INBOX_LOG_LEVEL: config.logLevel };
  if (target.setup) {
    const setup = startNode(`${name} setup`, target.setup, env);
    const { code } = await setup.exited;
    if (code !== 0) throw new Error(`${name} setup failed (${code}):\n${setup.output()}`);
  }
  const port = await freePort();
  const server = startNode(`${name} server`, [...config.serverNodeArgs, ...target.command(port)], env);
  await waitUntilReady(server, `http://127.0.0.1:${port}${target.readyPath}`);

  const loader = forkNode(`${name} load`, LOADER);
  const window = {};
  let databasePids = [];
  const sampleDatabaseCpu = () => databasePids.reduce((sum, pid) => sum + (cpuSecondsIfAlive(pid) ?? 0), 0);
  const result = await new Promise((resolve, reject) => {
    loader.child.on("message", async (message) => {
      if (message.type === "phase" && message.name === "measure") {
        window[message.state] = {
          server: treeCpuSeconds(server.child.pid),
          machine: machineCpuSeconds(),
          database: sampleDatabaseCpu(),
        };
        if (message.state === "start" && target.databasePids) {
          databasePids = await target.databasePids();
          window.start.database = sampleDatabaseCpu();
        }
      } else if (message.type === "result") resolve(message.result);
      else if (message.type === "error") reject(new Error(`load generator: ${message.message}`));
    });
    loader.exited.then(({ code }) => reject(new Error(`load generator exited (${code}) without a result`)));
    server.exited.then(({ code, signal }) =>
      reject(new Error(`${name} server exited (${code ?? signal}) during the run:\n${server.output()}`)),
    );
    loader.child.send({
      url: `http://127.0.0.1:${port}/webhooks/stripe`,
      secret,
      connections: config.connections,
      warmupSeconds: config.warmupSeconds,
      durationSeconds: config.durationSeconds,
      uniqueEvents: target.uniqueEvents,
    });
  });
  const peakRss = treePeakRssMb(server.child.pid);
  await stop(server);
  const stored = target.countStored ? await target.countStored() : null;
  await cleanups.pop()();

  const machine = {
    busy: window.end.machine.busy - window.start.machine.busy,
    total: window.end.machine.total - window.start.machine.total,
  };
  const serverCpu = window.end.server - window.start.server;
  const databaseCpu = window.end.database - window.start.database;
  const cpuPercent = (seconds) => Math.round((seconds / result.seconds) * 1000) / 10;
  return {
    target: name,
    rate: Math.round(result.rate),
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    ok2xx: result.ok2xx,
    non2xx: result.non2xx,
    statuses: result.statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.seconds,
    peakRssMb: peakRss,
    // Percent of one core; the machine figure is all cores together (200% = both of 2 cores busy).
    serverCpuPercent: cpuPercent(serverCpu),
    serverCpuUsPerAck: Math.round((serverCpu * 1e6) / result.ok2xx),
    databaseCpuUsPerAck: target.databasePids ? Math.round((databaseCpu * 1e6) / result.ok2xx) : null,
    loaderCpuPercent: result.loaderCpuPercent,
    loaderLoopUtilization: result.loaderLoopUtilization,
    machineCpuPercent: cpuPercent(machine.busy),
    // Postgres's backends for that target, and anything else running on the machine.
    otherCpuPercent: Math.max(
      0,
      Math.round((cpuPercent(machine.busy - serverCpu - databaseCpu) - result.loaderCpuPercent) * 10) / 10,
    ),
    signingMs: result.signingMs,
    warmupRounds: result.warmupRounds,
    sentTotal: result.sentTotal,
    ok2xxTotal: result.ok2xxTotal,
    storedEvents: stored?.events ?? null,
    storedDeliveries: stored?.deliveries ?? null,
  };
}

function newestMtime(dir) {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestMtime(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

async function main() {
  if (!existsSync(CLI)) {
    throw new Error("dist/ is missing: run `npm run build` first.");
  }
  if (newestMtime(fileURLToPath(new URL("../../src", import.meta.url))) > statSync(CLI).mtimeMs) {
    console.log("note: src/ has changed since the last build; these figures are for dist/ (npm run build).");
  }
  const unknown = config.targets.filter((name) => !(name in TARGETS));
  if (unknown.length > 0)
    throw new Error(`Unknown BENCH_TARGETS ${unknown.join(", ")}; use ${Object.keys(TARGETS).join(",")}.`);
  if (config.durationSeconds * 1.5 > SIGNATURE_TOLERANCE_SECONDS - 60) {
    throw new Error(
      "BENCH_DURATION must stay well under the 300 s signature tolerance: deliveries are signed before a phase.",
    );
  }
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  console.log(
    `bench/receive: ${config.connections} connections, warm-up ~${config.warmupSeconds} s, measured ~${config.durationSeconds} s per target, ` +
      `signed Stripe events of 2-8 KB, each a new event id; targets ${config.targets.join(", ")}`,
  );
  const results = [];
  for (const name of config.targets) {
    process.stdout.write(`  ${name}... `);
    const started = Date.now();
    results.push(await benchTarget(name, secret));
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return printReport(results, { ...config, loadAverageBefore: loadavg()[0] });
}

finish(main());
