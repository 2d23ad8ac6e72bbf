import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import { ConfigError } from "../errors.js";

/** Which of the `--processes` a serving process is: 0 also runs the once-per-deployment schedules. */
export const PROCESS_INDEX_ENV = "STRIPE_INBOX_PROCESS_INDEX";
const MAX_PROCESSES = 64;
/** A process that keeps dying is a fault to report, not to hide behind endless restarts. */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1_000;

export function parseProcesses(value: string | undefined): number {
  if (value === undefined) return 1;
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= MAX_PROCESSES)) {
    throw new ConfigError(`--processes must be a whole number from 1 to ${MAX_PROCESSES}, not "${value}".`);
  }
  return count;
}

/** This process's place among `serve --processes N`: 0 when it serves alone. */
export function processIndex(): number {
  return Number(process.env[PROCESS_INDEX_ENV] ?? 0);
}

/** True in the primary of `serve --processes N` (N > 1), which supervises and serves nothing itself. */
export function isSupervisor(processes: number): boolean {
  return processes > 1 && cluster.isPrimary;
}

/**
 * Runs `count` copies of this `serve` that share its listening port (node:cluster hands each new connection to
 * one of them), each with its own event loop, pool and workers: the guarantees hold across processes as they do
 * across machines. A copy that dies after it started listening is replaced; one that dies before (a bad flag, a
 * busy port) stops them all with its exit code. SIGTERM and SIGINT are passed on, and the supervisor exits once
 * every copy has stopped.
 */
export function superviseProcesses(count: number, log: Logger): void {
  const indexes = new Map<number, number>();
  const listened = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = (index: number) => {
    const worker = cluster.fork({ [PROCESS_INDEX_ENV]: String(index) });
    indexes.set(worker.id, index);
  };
  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    exitWhenAllStopped();
  };
  const exitWhenAllStopped = () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };

  cluster.on("listening", (worker: Worker) => listened.add(worker.id));
  cluster.on("exit", (worker: Worker, code: number | null, signal: string | null) => {
    const index = indexes.get(worker.id) ?? 0;
    indexes.delete(worker.id);
    if (stopping) {
      // A copy still starting when asked to stop ends by the signal itself, before its handler is installed.
      if (code !== 0 && signal !== "SIGTERM") exitCode = Math.max(exitCode, code ?? 1);
      return exitWhenAllStopped();
    }
    if (!listened.has(worker.id)) {
      log.error({ process: index, code, signal }, "a serving process exited before it listened; stopping");
      return stopAll(code ?? 1);
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && (restarts[0] ?? now) < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      log.error({ process: index, code, signal }, "serving processes keep exiting; stopping");
      return stopAll(1);
    }
    log.error({ process: index, code, signal }, "a serving process exited; starting another");
    setTimeout(() => {
      if (!stopping) fork(index);
    }, RESTART_DELAY_MS);
  });
  process.on("SIGTERM", () => stopAll(0));
  process.on("SIGINT", () => stopAll(0));

  for (let index = 0; index < count; index++) fork(index);
  log.info({ processes: count }, "serving from several processes");
}
