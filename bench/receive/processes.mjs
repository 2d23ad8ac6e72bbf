// Child processes of the benchmark and what /proc says about them. Every child is killed when the
// benchmark ends, however it ends.
import { execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

const children = new Set();
const OUTPUT_TAIL_BYTES = 4096;

export function killChildren() {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
process.on("exit", killChildren);

/** A positive number from the environment, or the fallback. */
export function positiveEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not "${process.env[name]}".`);
  return value;
}

/**
 * Cleanup steps run last-in first-out, once, by the normal end, a failure or a signal, so that none of them
 * exits before the others' work is done. `cleanups` is the list to push steps onto; `finish(main())` ends the run.
 */
export function cleanupOnExit(bench, what) {
  const cleanups = [];
  let cleaning = null;
  const cleanUp = () => {
    cleaning ??= (async () => {
      killChildren();
      while (cleanups.length > 0)
        await cleanups
          .pop()()
          .catch((error) => console.error(`cleanup: ${error.message}`));
    })();
    return cleaning;
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      console.error(`\n${bench}: ${signal}, ${what}`);
      cleanUp().finally(() => process.exit(130));
    });
  }
  /** Exits once `run` settles and cleanup is done: 0 when it resolves true, 1 when false, 2 when it fails. */
  const finish = (run) =>
    run
      .then(async (ok) => {
        await cleanUp();
        process.exit(ok ? 0 : 1);
      })
      .catch(async (error) => {
        if (cleaning) return; // interrupted: the signal handler reports and exits
        console.error(`\n${bench} failed: ${error.stack ?? error.message}`);
        await cleanUp();
        process.exit(2);
      });
  return { cleanups, cleanUp, finish };
}

function track(child, name) {
  children.add(child);
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, name, exited, output: () => output.trim() };
}

/** A node script as a child process, its output kept for error messages. */
export function startNode(name, args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return track(child, name);
}

/** A node module with an IPC channel, for the load generator. */
export function forkNode(name, modulePath) {
  return track(fork(modulePath, [], { stdio: ["ignore", "inherit", "pipe", "ipc"] }), name);
}

/** SIGTERM, which lets a server finish its in-flight commits, then SIGKILL after `graceMs`. */
export async function stop(proc, graceMs = 15_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `url` until it answers 200; fails early if the process exits. */
export async function waitUntilReady(proc, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${proc.name} did not become ready at ${url}${exited ? " (it exited)" : ""}:\n${proc.output()}`);
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds a process has used so far (user + system). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may itself contain spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function cpuSecondsIfAlive(pid) {
  try {
    return cpuSeconds(pid);
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine, all cores together. */
export function machineCpuSeconds() {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** The peak resident set of a live process (VmHWM), in MB. */
export function peakRssMb(pid) {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

/** The resident set of a live process now (VmRSS), in MB; null once it has exited. */
export function rssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** A process and its direct children (`serve --processes N` serves from children), from /proc. */
export function withChildren(pid) {
  const children = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [pid, ...children];
}

/** CPU seconds of a process and its children together. */
export function treeCpuSeconds(pid) {
  return withChildren(pid).reduce((sum, each) => sum + (cpuSecondsIfAlive(each) ?? 0), 0);
}

/** The sum of the peak RSS of a process and of each of its children: an upper bound of their peak together. */
export function treePeakRssMb(pid) {
  return withChildren(pid).reduce((sum, each) => sum + (peakRssMb(each) ?? 0), 0);
}

/** The resident set of a process and its children now, in MB. */
export function treeRssMb(pid) {
  return withChildren(pid).reduce((sum, each) => sum + (rssMb(each) ?? 0), 0);
}
