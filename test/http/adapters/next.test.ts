import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET } from "../../support/events.js";
import { openTestStore, type TestStore } from "../../support/stores.js";
import { itKeepsTheWebhookContract, type MountedWebhook } from "./contract.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const APP = join(ROOT, "examples/nextjs");
const NEXT_BIN = join(ROOT, "node_modules/next/dist/bin/next");
const DEFAULT_LIMIT = 1024 * 1024;

/**
 * The examples/nextjs app, built with `next build` and served by `next start`: the production path.
 * Takes about a minute, most of it `next build` (Turbopack compile and its TypeScript check).
 */
describe("nextWebhook(inbox) as an App Router route handler under next start", () => {
  let db: TestStore;
  let server: ChildProcess | undefined;
  let mounted: MountedWebhook;

  beforeAll(async () => {
    installPackageIntoExample();
    db = await openTestStore("postgres");
    const env = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      STRIPE_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: db.config.database,
      STRIPE_INBOX_SCHEMA: db.config.schema,
    };
    await run(spawn(process.execPath, [NEXT_BIN, "build"], { cwd: APP, env }));
    const port = await freePort();
    server = spawn(process.execPath, [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)], {
      cwd: APP,
      env,
      // Its own process group, so the server next start forks is stopped with it.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    await waitForOutput(server, /Ready in/);
    mounted = { url: `http://127.0.0.1:${port}/webhooks/stripe`, db, limit: DEFAULT_LIMIT };
  }, 170_000);

  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      process.kill(-server.pid, "SIGTERM");
      await exited;
    }
    await db?.cleanup();
  });

  itKeepsTheWebhookContract(() => mounted);

  it("migrated the schema named by STRIPE_INBOX_SCHEMA on the first request", async () => {
    const tables = await db.store.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1",
      [db.config.schema],
    );
    expect(tables.map((table) => table.name)).toContain("events");
  });
});

/**
 * What `npm install --install-links` does with the example's `file:../..` dependency: a copy of the
 * package as published. A symlink would not do: Next.js follows it out of node_modules and bundles the
 * package, which must stay external (its migrations are files read at run time).
 */
function installPackageIntoExample(): void {
  if (!existsSync(join(ROOT, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first.");
  const target = join(APP, "node_modules/stripe-inbox");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(ROOT, "package.json"), join(target, "package.json"));
  cpSync(join(ROOT, "dist"), join(target, "dist"), { recursive: true });
}

function run(child: ChildProcess): Promise<void> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}:\n${output}`))));
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (pattern.test(output)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`next start exited ${code}:\n${output}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
