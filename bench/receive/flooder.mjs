// The flood, in its own process so that its sending never shares an event loop with the measured deliveries.
// Each connection posts one large body per interval (its share of the byte rate), waiting for each answer.
// Messages: {type: "start", ...} starts a flood, {type: "stop"} ends it and replies with what it sent.
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

let flood = null;

process.on("disconnect", () => process.exit(1));
process.on("message", (message) => {
  if (message.type === "start") flood = startFlood(message);
  else if (message.type === "stop") {
    flood.stop().then((stats) => process.send({ type: "stats", stats }));
    flood = null;
  } else if (message.type === "exit") process.exit(0);
});

function startFlood({ url, connections, bytesPerSecond, body, headers }) {
  const bytes = Buffer.from(body, "base64");
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const intervalMs = (bytes.byteLength / (bytesPerSecond / connections)) * 1000;
  const statuses = {};
  let sent = 0;
  let errors = 0;
  let stopped = false;
  const started = performance.now();
  const post = () =>
    new Promise((resolve) => {
      const req = request(url, { method: "POST", agent, headers: { ...headers, "content-length": bytes.byteLength } });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(bytes);
    });
  const connection = async () => {
    while (!stopped) {
      const next = performance.now() + intervalMs;
      sent++;
      await post();
      const wait = next - performance.now();
      if (wait > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const running = Promise.all(Array.from({ length: connections }, connection));
  return {
    async stop() {
      stopped = true;
      await running;
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      return { sent, errors, statuses, seconds, megabytesPerSecond: (sent * bytes.byteLength) / 1e6 / seconds };
    },
  };
}
