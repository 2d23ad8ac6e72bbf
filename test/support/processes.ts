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
 * The address a CLI server started with `--port 0` names in its banner ("listening on http://host:port", or serve's
 * "receiving Stripe webhooks at http://host:port/..."): the kernel picked the port at the bind, so no other process
 * can have taken it first. Null until the banner is there.
 */
export function bannerAddress(output: string): URL | null {
  const found = /(?:listening on|receiving Stripe webhooks at) (http:\/\/[^\s/]+:\d+)/.exec(output);
  return found?.[1] ? new URL(found[1]) : null;
}

/** `bannerAddress` of a child's stdout, once it is printed. */
export function bannerUrl(child: ChildProcess): Promise<URL> {
  let stdout = "";
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const address = bannerAddress(stdout);
      if (address) resolve(address);
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
  /** A fixed port, for a test that restarts serve on the same address; by default the port serve's banner names. */
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

/** `stripe-inbox serve` as its own process, answered on /healthz before this resolves. */
export async function startServe({ port, env, args = [] }: ServeOptions): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", String(port ?? 0), ...args], {
    env: cleanEnv({ STRIPE_WEBHOOK_SECRET: SECRET, ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let listening = port ?? null;
  // Drained always: a full pipe would block the server's logger and stall the process under test.
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-65_536);
    const address = listening === null ? bannerAddress(output) : null;
    if (address) listening = Number(address.port);
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
  const deadline = Date.now() + 30_000;
  const stopAndWait = async () => {
    if (running) child.kill("SIGKILL");
    await exited;
  };
  while (Date.now() < deadline) {
    if (!running) throw new Error(`serve exited before listening:\n${output}`);
    if (listening !== null) {
      const base = `http://127.0.0.1:${listening}`;
      const healthy = await fetch(`${base}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) {
        return {
          child,
          pid: child.pid ?? -1,
          base,
          url: `${base}/webhooks/stripe`,
          output: () => output,
          exited,
          isRunning: () => running,
          kill: stopAndWait,
        };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopAndWait();
  throw new Error(`serve did not answer /healthz within 30 s:\n${output}`);
}
