// Signed deliveries at a steady rate over a few keep-alive connections, as Stripe sends them: a delivery is due every
// 1/rate seconds whatever the answers before it, so a slow server shows as latency (timed from when the delivery was
// due, its wait for a free connection included), never as a lower rate that hides it.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { createTemplates, delivery, STRIPE_HEADERS, signPool } from "../receive/payloads.mjs";

const TICK_MS = 5;
const TIMEOUT_MS = 30_000;

/**
 * Starts sending at once. `takeWindow()` answers the latencies acknowledged since its last call; `stop()` stops
 * sending, waits for every answer and resolves with the totals and the ids of every acknowledged event.
 */
export function startSteadyLoad({ url, secret, rate, connections }) {
  const templates = createTemplates();
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const acked = [];
  const latencies = [];
  let windowStart = 0;
  const totals = { sent: 0, acked: 0, duplicates: 0, non2xx: 0, errors: 0, statuses: {} };
  // Signed a second's worth at a time, just before use: signatures stay fresh and signing never piles up.
  let pool = null;
  let used = 0;
  let inFlight = 0;
  let drained = null;

  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (totals.sent < due) send(started + (totals.sent * 1000) / rate);
  }, TICK_MS);

  function send(dueAt) {
    if (!pool || used === pool.size) {
      pool = signPool(templates, secret, Math.ceil(rate));
      used = 0;
    }
    const id = `evt_${pool.ids[used]}`;
    // The template's buffer is rewritten for the next delivery: each request sends a copy of its own.
    const { body, signature } = delivery(templates, pool, used++);
    const payload = Buffer.from(body);
    totals.sent++;
    inFlight++;
    const request = http.request(url, {
      method: "POST",
      agent,
      timeout: TIMEOUT_MS,
      headers: { ...STRIPE_HEADERS, "stripe-signature": signature, "content-length": payload.length },
    });
    request.on("response", (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => answered(id, dueAt, response.statusCode, Buffer.concat(chunks)));
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", () => {
      totals.errors++;
      settled();
    });
    request.end(payload);
  }

  function answered(id, dueAt, status, body) {
    totals.statuses[status] = (totals.statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      latencies.push(performance.now() - dueAt);
      totals.acked++;
      acked.push(id);
      // Every id is new: a duplicate would mean the inbox took an id for another's.
      if (JSON.parse(body.toString()).duplicate) totals.duplicates++;
    } else totals.non2xx++;
    settled();
  }

  function settled() {
    inFlight--;
    if (inFlight === 0) drained?.();
  }

  return {
    get acked() {
      return totals.acked;
    },
    takeWindow() {
      const window = latencies.slice(windowStart);
      windowStart = latencies.length;
      return window;
    },
    async stop() {
      clearInterval(timer);
      if (inFlight > 0) await new Promise((resolve) => (drained = resolve));
      agent.destroy();
      return { ...totals, seconds: (performance.now() - started) / 1000, latencies, ackedIds: acked };
    },
  };
}
