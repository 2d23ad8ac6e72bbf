// Ack-to-handler-start latency on an idle system: signed events sent one at a time with a gap, each acked
// before the next is sent; the handler appends the time it started to a file (handlers.mjs). Both times are
// wall-clock ms with sub-ms precision (performance.timeOrigin + performance.now()) on the same machine.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createTemplates, delivery, STRIPE_HEADERS, signPool } from "../receive/payloads.mjs";
import { freePort, startNode, stop, waitUntilReady } from "../receive/processes.mjs";
import { newDataDir } from "./stores.mjs";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const HANDLERS = fileURLToPath(new URL("./handlers.mjs", import.meta.url));
const WARMUP_EVENTS = 20;
// The workers' fallback poll when no wake-up arrives (the default of `createWorker`; the CLI does not change it).
const DEFAULT_POLL_MS = 1_000;

const wallClockMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `postgres-serve`: `serve --handlers`, the worker woken in-process by the commit that stored the event.
 * `postgres-worker`: `serve` plus a `worker` process, woken by LISTEN/NOTIFY. `pglite`: `serve --handlers`.
 */
export async function measureLatency({ config, db, cleanups }, target, secret) {
  const depth = cleanups.length;
  const data = newDataDir();
  cleanups.push(data.remove);
  const startLog = join(data.dir, "handler-starts.jsonl");
  const env = { STRIPE_WEBHOOK_SECRET: secret, STRIPE_INBOX_LOG_LEVEL: config.logLevel, BENCH_HANDLER_LOG: startLog };
  let schema = null;
  if (target === "pglite") {
    env.STRIPE_INBOX_DATA_DIR = data.dir;
    const setup = startNode("pglite migrate", [CLI, "migrate"], env);
    if ((await setup.exited).code !== 0) throw new Error(`pglite migrate failed:\n${setup.output()}`);
  } else {
    schema = db.newSchema();
    cleanups.push(() => db.dropSchema(schema));
    Object.assign(env, { DATABASE_URL: config.databaseUrl, STRIPE_INBOX_SCHEMA: schema });
  }
  const port = await freePort();
  const inProcess = target !== "postgres-worker";
  const server = startNode(
    `${target} server`,
    [CLI, "serve", "--port", String(port), ...(inProcess ? ["--handlers", HANDLERS] : [])],
    env,
  );
  const processes = [server];
  try {
    await waitUntilReady(server, `http://127.0.0.1:${port}/readyz`);
    if (!inProcess) {
      const worker = startNode(`${target} worker`, [CLI, "worker", "--handlers", HANDLERS], env);
      processes.push(worker);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await db.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'stripe-inbox-listen' AND query = $1",
          [`LISTEN "${schema}_events"`],
        );
        if (row.n === 1) break;
        if (Date.now() > deadline || worker.child.exitCode !== null)
          throw new Error(`the worker did not LISTEN:\n${worker.output()}`);
        await sleep(50);
      }
    }
    const url = `http://127.0.0.1:${port}/webhooks/stripe`;
    const templates = createTemplates();
    const total = WARMUP_EVENTS + config.latencyEvents;
    const pool = signPool(templates, secret, total);
    const sent = [];
    for (let i = 0; i < total; i++) {
      const { body, signature } = delivery(templates, pool, i);
      const sentAt = wallClockMs();
      const response = await fetch(url, {
        method: "POST",
        headers: { ...STRIPE_HEADERS, "stripe-signature": signature },
        body,
      });
      await response.arrayBuffer();
      const ackAt = wallClockMs();
      if (response.status !== 200) throw new Error(`delivery ${i} answered ${response.status}`);
      if (i >= WARMUP_EVENTS) sent.push({ id: pool.ids[i], sentAt, ackAt });
      await sleep(config.latencyGapMs);
    }
    const starts = await handlerStarts(startLog, total);
    const ackToStart = [];
    const sendToStart = [];
    const ack = [];
    for (const { id, sentAt, ackAt } of sent) {
      const startedAt = starts.get(`evt_${id}`);
      ackToStart.push(startedAt - ackAt);
      sendToStart.push(startedAt - sentAt);
      ack.push(ackAt - sentAt);
    }
    return {
      target,
      wakeUp: target === "postgres-worker" ? "LISTEN/NOTIFY" : "in-process, on commit",
      pollMs: DEFAULT_POLL_MS,
      events: sent.length,
      gapMs: config.latencyGapMs,
      ackToStart: percentiles(ackToStart),
      sendToStart: percentiles(sendToStart),
      ack: percentiles(ack),
    };
  } finally {
    await Promise.all(processes.map((proc) => stop(proc)));
    while (cleanups.length > depth) await cleanups.pop()();
  }
}

/** Waits until the handler has started for `count` events; the first start of each id. */
async function handlerStarts(path, count) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
    const starts = new Map();
    for (const line of lines) {
      const { id, startedAt } = JSON.parse(line);
      if (!starts.has(id)) starts.set(id, startedAt);
    }
    if (starts.size >= count) return starts;
    if (Date.now() > deadline) throw new Error(`only ${starts.size} of ${count} handler runs started`);
    await sleep(50);
  }
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), max: at(1), min: Math.round(sorted[0] * 100) / 100 };
}
