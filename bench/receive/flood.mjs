// bench/receive/flood: the latency of Stripe's deliveries while unauthenticated clients flood the endpoint with
// large bodies. Signed deliveries go at a steady rate throughout; rounds without a flood alternate with rounds of
// a flood of 1 MB valid-JSON bodies with a wrong signature (forged) and with none (unsigned), so that each
// condition is measured in the same run, on the same machine load. Prints figures; never pass/fail on time.
// It exits non-zero only when a signed delivery is answered other than 200, which is a fault, not a slow run.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { sign } from "../../dist/index.js";
import { CONDITIONS, report } from "./flood-report.mjs";
import { createTemplates, delivery, STRIPE_HEADERS, signPool } from "./payloads.mjs";
import {
  cleanupOnExit,
  cpuSeconds,
  forkNode,
  freePort,
  machineCpuSeconds,
  positiveEnv,
  startNode,
  stop,
  waitUntilReady,
} from "./processes.mjs";
import { invoiceLine, stripeId } from "./stripe-objects.mjs";
import { TARGETS } from "./targets.mjs";

const FLOODER = fileURLToPath(new URL("./flooder.mjs", import.meta.url));
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

const config = {
  target: process.env.BENCH_TARGET ?? "postgres",
  rounds: positiveEnv("BENCH_ROUNDS", 3),
  roundSeconds: positiveEnv("BENCH_ROUND_SECONDS", 5),
  validRate: positiveEnv("BENCH_VALID_RATE", 100),
  floodConnections: positiveEnv("BENCH_FLOOD_CONNECTIONS", 8),
  floodMegabytesPerSecond: positiveEnv("BENCH_FLOOD_MB_PER_S", 80),
  floodBodyBytes: positiveEnv("BENCH_FLOOD_BODY_BYTES", 1_000_000),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  logLevel: process.env.STRIPE_INBOX_LOG_LEVEL ?? "info",
  // Node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles" to profile it.
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean),
};

const { cleanups, finish } = cleanupOnExit("bench/receive/flood", "stopping the server and removing its store");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Stripe-like event of at most `bytes`, pretty-printed as Stripe sends them: valid JSON that could be Stripe's. */
function largeEvent(bytes) {
  const customer = stripeId("cus", 14);
  const lines = [];
  const event = {
    id: stripeId("evt", 24),
    object: "event",
    api_version: "2025-10-29.clover",
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: stripeId("in", 24), object: "invoice", customer, lines: { object: "list", data: lines } } },
    livemode: false,
    type: "invoice.paid",
  };
  const line = invoiceLine(customer);
  const text = () => JSON.stringify(event, null, 2);
  // Sized by proportion (a line at a time would re-serialise a megabyte thousands of times), then trimmed.
  for (let grown = 0; grown < 4; grown++) {
    const size = Buffer.byteLength(text());
    const wanted = Math.max(1, Math.floor((lines.length || 1) * (bytes / size)));
    while (lines.length < wanted) lines.push({ ...line, id: stripeId("il", 24) });
  }
  while (Buffer.byteLength(text()) > bytes) lines.pop();
  return Buffer.from(text());
}

/** Signed deliveries at a steady rate; each latency is filed under the condition current when it was sent. */
function startValidLoad(url, secret, totalSeconds) {
  const templates = createTemplates();
  const pool = signPool(templates, secret, Math.ceil(config.validRate * totalSeconds * 1.2) + 100);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies = Object.fromEntries(CONDITIONS.map((name) => [name, []]));
  const refused = [];
  const connectionErrors = [];
  let condition = null;
  let next = 0;
  let stopped = false;
  const inFlight = new Set();
  const send = () => {
    const { body, signature } = delivery(templates, pool, next++);
    const tag = condition;
    const started = performance.now();
    const done = new Promise((resolve) => {
      const req = request(url, {
        method: "POST",
        agent,
        headers: { ...STRIPE_HEADERS, "stripe-signature": signature, "content-length": body.byteLength },
      });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) refused.push(res.statusCode);
          else if (tag) latencies[tag].push(performance.now() - started);
          resolve();
        });
      });
      // A keep-alive connection closed by the server as it was reused (Stripe retries those): counted apart.
      req.on("error", (error) => {
        connectionErrors.push(error.code ?? error.message);
        resolve();
      });
      // The template is rewritten for the next delivery: send a copy.
      req.end(Buffer.from(body));
    });
    inFlight.add(done);
    done.then(() => inFlight.delete(done));
  };
  const intervalMs = 1000 / config.validRate;
  const began = performance.now();
  const loop = (async () => {
    for (let sent = 0; !stopped; sent++) {
      const due = began + sent * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      send();
    }
  })();
  return {
    latencies,
    refused,
    connectionErrors,
    setCondition: (name) => {
      condition = name;
    },
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      agent.destroy();
    },
  };
}

function floodControl(flooder, url, secret) {
  const body = largeEvent(config.floodBodyBytes);
  const headers = { "content-type": "application/json; charset=utf-8" };
  const bodies = {
    // Signed with a secret the server does not hold: it verifies nothing, and fails only at the comparison.
    forged: { ...headers, "stripe-signature": sign(body, { secret: `${secret}_not_ours` }) },
    unsigned: headers,
  };
  const request = (message, reply) =>
    new Promise((resolve) => {
      if (reply) flooder.child.once("message", (answer) => resolve(answer.stats));
      flooder.child.send(message);
      if (!reply) resolve();
    });
  return {
    bodyBytes: body.byteLength,
    start: (kind) =>
      request({
        type: "start",
        url,
        connections: config.floodConnections,
        bytesPerSecond: config.floodMegabytesPerSecond * 1e6,
        body: body.toString("base64"),
        headers: bodies[kind],
      }),
    stop: () => request({ type: "stop" }, true),
  };
}

async function main() {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` first.");
  if (!(config.target in TARGETS) || config.target === "bare") {
    throw new Error(`BENCH_TARGET must be postgres or pglite, not ${config.target}.`);
  }
  const totalSeconds = (config.rounds * CONDITIONS.length + CONDITIONS.length) * (config.roundSeconds + 1);
  if (totalSeconds > 240) throw new Error("The rounds must end well within the 300 s signature tolerance.");
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const target = await TARGETS[config.target](config);
  cleanups.push(target.cleanup);
  const env = { ...target.env, STRIPE_WEBHOOK_SECRET: secret, STRIPE_INBOX_LOG_LEVEL: config.logLevel };
  if (target.setup) {
    const setup = startNode(`${config.target} setup`, target.setup, env);
    if ((await setup.exited).code !== 0) throw new Error(`setup failed:\n${setup.output()}`);
  }
  const port = await freePort();
  const server = startNode("server", [...config.serverNodeArgs, ...target.command(port)], env);
  const url = `http://127.0.0.1:${port}/webhooks/stripe`;
  await waitUntilReady(server, `http://127.0.0.1:${port}${target.readyPath}`);
  const flooder = forkNode("flooder", FLOODER);
  const flood = floodControl(flooder, url, secret);

  console.log(
    `bench/receive/flood: serve on ${config.target}; signed deliveries at ${config.validRate}/s throughout; ` +
      `rounds of ${config.roundSeconds} s without a flood and with ${config.floodConnections} connections sending ` +
      `${config.floodMegabytesPerSecond} MB/s of ${Math.round(flood.bodyBytes / 1000)} KB valid-JSON bodies, ` +
      `signed with another secret (forged) or not at all (unsigned); ${config.rounds} rounds of each, after one of each to warm up`,
  );
  const valid = startValidLoad(url, secret, totalSeconds);
  const rounds = [];
  const order = [...CONDITIONS, ...Array.from({ length: config.rounds }, () => CONDITIONS).flat()];
  for (const [index, condition] of order.entries()) {
    const warmup = index < CONDITIONS.length;
    process.stdout.write(`  ${warmup ? "warm-up " : ""}${condition}... `);
    if (condition !== "quiet") await flood.start(condition);
    // A moment for the flood to reach its rate before deliveries are counted under it.
    await sleep(300);
    const cpuBefore = cpuSeconds(server.child.pid);
    const ownBefore = cpuSeconds(process.pid) + cpuSeconds(flooder.child.pid);
    const machineBefore = machineCpuSeconds().busy;
    const started = performance.now();
    if (!warmup) valid.setCondition(condition);
    await sleep(config.roundSeconds * 1000);
    valid.setCondition(null);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(server.child.pid) - cpuBefore;
    // Everything else the machine ran meanwhile (Postgres included): on a shared machine, what moves the figures.
    const own = cpuSeconds(process.pid) + cpuSeconds(flooder.child.pid) - ownBefore;
    const other = machineCpuSeconds().busy - machineBefore - cpu - own;
    const floodStats = condition === "quiet" ? null : await flood.stop();
    if (!warmup) rounds.push({ condition, seconds, cpu, other, flood: floodStats });
    console.log("done");
    await sleep(500);
  }
  await valid.stop();
  flooder.child.send({ type: "exit" });
  await stop(server);
  await cleanups.pop()();
  return report(rounds, valid, flood.bodyBytes, config);
}

finish(main());
