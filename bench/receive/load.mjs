// The load generator, in its own process so that it never shares an event loop with a server.
// The parent sends one `run` message; this process reports each phase and then the result, and exits.
// Every phase sends a fixed number of deliveries and waits for every answer, so the stored rows can be
// compared with the 2xx answers exactly; the measured phase's size comes from the warm-up's rate.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { createTemplates, delivery, STRIPE_HEADERS, signPool } from "./payloads.mjs";

const WARMUP_MINIMUM_PER_CONNECTION = 20;
// A pool reused in a cycle for a target that stores nothing (ids may repeat there).
const CYCLED_POOL_SIZE = 32_768;

process.on("disconnect", () => process.exit(1));
process.once("message", (message) => {
  run(message).then(
    (result) => process.send({ type: "result", result }, () => process.exit(0)),
    (error) => process.send({ type: "error", message: error.stack ?? String(error) }, () => process.exit(1)),
  );
});

async function run({ url, secret, connections, warmupSeconds, durationSeconds, uniqueEvents }) {
  const templates = createTemplates();
  const phase = async (name, amount) => {
    const started = performance.now();
    const pool = signPool(
      templates,
      secret,
      uniqueEvents ? amount + 2 * connections : Math.min(amount, CYCLED_POOL_SIZE),
    );
    const signingMs = performance.now() - started;
    process.send({ type: "phase", name, state: "start" });
    const result = await fire({
      url,
      connections,
      amount,
      templates,
      pool,
      onLastAnswer: () => process.send({ type: "phase", name, state: "end" }),
    });
    return { ...result, name, signingMs: Math.round(signingMs) };
  };

  // Warm-up in rounds of about a second each, so that the last round's rate (JIT-compiled, connections and
  // pools open) sizes the measured phase to about `durationSeconds`.
  const warmup = [];
  let rate = 0;
  const warmupEnds = performance.now() + warmupSeconds * 1000;
  while (warmup.length === 0 || performance.now() < warmupEnds) {
    const lap = await phase(`warmup ${warmup.length + 1}`, atLeast(WARMUP_MINIMUM_PER_CONNECTION * connections, rate));
    warmup.push(lap);
    rate = lap.rate;
  }
  const measured = await phase("measure", atLeast(connections, rate * durationSeconds));
  const phases = [...warmup, measured];
  return {
    ...measured,
    sentTotal: sum(phases, "sent"),
    ok2xxTotal: sum(phases, "ok2xx"),
    non2xxTotal: sum(phases, "non2xx"),
    warmupRounds: warmup.map((p) => ({ sent: p.sent, ok2xx: p.ok2xx, rate: Math.round(p.rate) })),
  };
}

function fire({ url, connections, amount, templates, pool, onLastAnswer }) {
  let next = 0;
  let ok2xx = 0;
  let non2xx = 0;
  const statuses = {};
  const latencies = new Float64Array(amount + connections);
  let lastAnswer = 0;
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const started = performance.now();
  // Taken at the last answer: autocannon reports up to a second later, idle, which would dilute them.
  let usage = null;
  const end = () => {
    if (usage) return usage;
    usage = { cpu: process.cpuUsage(cpuBefore), loop: performance.eventLoopUtilization(loopBefore) };
    onLastAnswer();
    return usage;
  };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: "POST",
        connections,
        amount,
        timeout: 30,
        requests: [
          {
            setupRequest(request) {
              const { body, signature } = delivery(templates, pool, next++);
              request.body = body;
              request.headers = { ...STRIPE_HEADERS, "stripe-signature": signature };
              return request;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = ((lastAnswer || performance.now()) - started) / 1000;
        const { cpu, loop } = end();
        const sorted = latencies.subarray(0, ok2xx).sort();
        resolve({
          sent: amount,
          ok2xx,
          non2xx,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds: round(seconds, 3),
          rate: ok2xx / seconds,
          p50Ms: round(percentile(sorted, 0.5), 2),
          p99Ms: round(percentile(sorted, 0.99), 2),
          maxMs: round(sorted.at(-1) ?? 0, 2),
          loaderCpuPercent: round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100, 1),
          loaderLoopUtilization: round(loop.utilization, 3),
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      lastAnswer = performance.now();
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies[ok2xx++] = responseTime;
      else non2xx++;
      if (ok2xx + non2xx === amount) end();
    });
  });
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

const atLeast = (minimum, value) => Math.max(minimum, Math.round(value));
const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;
const sum = (phases, key) => phases.reduce((total, p) => total + p[key], 0);
