import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { SECRET } from "./events.js";

/** The built CLI: whole-process tests run what `npm start` runs (`npm test` builds dist/ first). */
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Our own variables are set per test, never inherited from the shell that runs the suite. */
const OWN_VARIABLES = /^(DATABASE_URL|PORT|HOST|STRIPE_WEBHOOK_SECRET|STRIPE_INBOX_.*)$/;

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!OWN_VARIABLES.test(name)) env[name] = value;
  return { ...env, STRIPE_INBOX_LOG_LEVEL: "warn", ...extra };
}

/**
 * The address a CLI server started with `--port 0` names in its "listening on http://host:port" banner: the kernel
 * picked the port at the bind, so no other process can have taken it first.
 */
export function bannerUrl(child: ChildProcess): Promise<URL> {
  let stdout = "";
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const found = /listening on (http:\/\/\S+:\d+)\s/.exec(stdout);
      if (found?.[1]) resolve(new URL(found[1]));
    });
    child.once("exit", () => reject(new Error(`exited before listening:\n${stdout}`)));
  });
}

/** A port that was free a moment ago; `serve` needs a concrete one to be restarted on the same address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly url: string;
  /** The last 64 KB the process wrote to stdout and stderr, for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** SIGKILL if still running, and waits for the exit. */
  kill(): Promise<void>;
}

export interface ServeOptions {
  /** A fixed port, for a test that restarts serve on the same address; by default a free one is found. */
  port?: number;
  env: Record<string, string>;
  args?: string[];
}

/** Runs a CLI command to its end. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr };
}

/** Another process may take a port between `freePort()` and serve's bind: so many fresh ports are tried. */
const PORT_ATTEMPTS = 5;

/** `stripe-inbox serve` as its own process, answered on /healthz before this resolves. */
export async function startServe({ port, env, args = [] }: ServeOptions): Promise<ServeProcess> {
  if (port !== undefined) return startServeOn(port, env, args);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServeOn(await freePort(), env, args);
    } catch (error) {
      if (attempt === PORT_ATTEMPTS || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startServeOn(port: number, env: Record<string, string>, args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", String(port), ...args], {
    env: cleanEnv({ STRIPE_WEBHOOK_SECRET: SECRET, ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Drained always: a full pipe would block the server's logger and stall the process under test.
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-65_536);
  };
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const started: ServeProcess = {
    child,
    pid: child.pid ?? -1,
    base,
    url: `${base}/webhooks/stripe`,
    output: () => output,
    exited,
    isRunning: () => running,
    async kill() {
      if (running) child.kill("SIGKILL");
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!running) {
      const message = `serve exited before listening:\n${output}`;
      throw /already in use/i.test(output) ? new PortTaken(message) : new Error(message);
    }
    const healthy = await fetch(`${base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await started.kill();
  throw new Error(`serve did not answer /healthz within 30 s:\n${output}`);
}
