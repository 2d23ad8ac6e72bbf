// `stripe-inbox prune` run by hand against the soak's schema, as an operator or a cron job would, every few seconds:
// serve's own schedule prunes first after 5 minutes and then hourly, too seldom to watch the size settle in a short
// run. Each prune is timed and what it removed printed; with `vacuum`, a plain VACUUM follows (where autovacuum is
// off, the space prune frees is never reused without one).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startNode } from "../receive/processes.mjs";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Prunes every `everySeconds` (counted from the end of the last one) until `stop()`, which waits for one running. */
export function startPruneLoop({ everySeconds, before, env, vacuum, elapsed }) {
  const prunes = [];
  let stopped = false;
  let timer = null;
  let running = Promise.resolve();

  const pruneOnce = async () => {
    const at = elapsed();
    const started = performance.now();
    const proc = startNode("prune", [CLI, "prune", "--before", before, "--json"], env);
    let stdout = "";
    proc.child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const { code, signal } = await proc.exited;
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) {
      prunes.push({ at, seconds, failed: true });
      console.log(
        `  prune at ${clock(at)} failed (${code ?? signal}) after ${seconds.toFixed(1)} s:\n${proc.output()}`,
      );
      return;
    }
    const removed = JSON.parse(stdout);
    let vacuumSeconds = null;
    if (vacuum) {
      const vacuumStarted = performance.now();
      await vacuum();
      vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    }
    prunes.push({ at, seconds, vacuumSeconds, removed });
    console.log(
      `  prune at ${clock(at)}: ${seconds.toFixed(1)} s, removed ${removed.events} events, ${removed.runs} runs, ` +
        `${removed.deliveries} deliveries, ${removed.expired_ids} expired ids, ` +
        `${(removed.payload_bytes / 1e6).toFixed(1)} MB of payloads` +
        (vacuumSeconds === null ? "" : `; VACUUM ${vacuumSeconds.toFixed(1)} s`),
    );
  };

  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pruneOnce()
        .catch((error) => {
          prunes.push({ at: elapsed(), failed: true });
          console.log(`  prune failed: ${error.message}`);
        })
        .finally(next);
    }, everySeconds * 1000);
  };
  next();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      return prunes;
    },
  };
}

/** `m:ss` of a number of seconds. */
export function clock(seconds) {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
