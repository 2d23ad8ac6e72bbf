// Each target is a server in a process of its own, so it never shares an event loop with the load generator.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux this runs on.
const CLOCK_TICKS = 100;
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const BARE = fileURLToPath(new URL("./bare-server.mjs", import.meta.url));

export const TARGETS = {
  bare: () => ({ args: [BARE], ready: "ipc" }),
  memory: () => ({ args: [CLI, "emulator"], ready: "stdout" }),
  data: () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-emulator-"));
    return { args: [CLI, "emulator", "--data", dir], ready: "stdout", cleanup: () => rmSync(dir, { recursive: true }) };
  },
};

/** Starts `name` on a free port; resolves with its URL and a stop function once it listens. */
export async function startTarget(name, { cpuProfileDir } = {}) {
  const target = TARGETS[name]();
  const port = await freePort();
  const args = target.args[0] === BARE ? [...target.args, String(port)] : [...target.args, "--port", String(port)];
  const nodeFlags = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: { ...process.env, STRIPE_INBOX_LOG_LEVEL: "warn" },
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await new Promise((resolve, reject) => {
    exited.then((code) => reject(new Error(`${name} exited early (${code})`)));
    if (target.ready === "ipc") child.once("message", resolve);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      if (out.includes("listening")) resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    /** User and system CPU time of the server process, from /proc (Linux), in seconds. */
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      target.cleanup?.();
    },
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
