import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
/** Written into `.next` after a build: what that build was made from. */
const BUILD_KEY = join(APP, ".next/stripe-inbox-build-key");

/**
 * The examples/nextjs app, built with `next build` and served by `next start`: the production path.
 * `next build` (Turbopack compile and its TypeScript check) takes most of a minute; its output depends on the app's
 * files, the package and Next.js only, so a build of the same inputs is served again (the Node.js lines' runs reuse
 * the full suite's). The database and schema are read when the route first loads, at `next start`.
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
    const key = buildKey();
    if (!existsSync(BUILD_KEY) || readFileSync(BUILD_KEY, "utf8") !== key) {
      await run(spawn(process.execPath, [NEXT_BIN, "build"], { cwd: APP, env }));
      writeFileSync(BUILD_KEY, key);
    }
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

/** A digest of everything `next build` reads: the app's own files, the installed package, Next.js's release. */
function buildKey(): string {
  const hash = createHash("sha256");
  const add = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (dir === APP && [".next", "node_modules", ".stripe-inbox", "next-env.d.ts"].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) add(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  add(APP);
  add(join(APP, "node_modules/stripe-inbox"));
  hash.update(readFileSync(join(ROOT, "node_modules/next/package.json")));
  return hash.digest("hex");
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
