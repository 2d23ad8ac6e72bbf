import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import type { Inbox } from "../../src/create-inbox.js";
import { DEFAULT_SCHEMA } from "../../src/store/store.js";
import { SECRET, signedHeaders } from "./events.js";
import { migratedPgliteDir } from "./pglite-template.js";
import { CLI, cleanEnv } from "./processes.js";
import { dropSchema, type Engine, POSTGRES_URL, tempDir, uniqueSchema } from "./stores.js";

export interface WorkerTestDb {
  /** What `createInbox` needs to reach the database. */
  config: { database?: string; dataDir: string; schema: string };
  cleanup(): Promise<void>;
}

/**
 * A fresh database for an inbox under test: a schema of its own on the shared Postgres, or a PGlite data
 * directory copied from an already migrated one (initdb alone takes seconds of CPU).
 */
export async function openWorkerTestDb(engine: Engine): Promise<WorkerTestDb> {
  const dataDir = engine === "pglite" ? await migratedPgliteDir() : tempDir();
  const schema = engine === "pglite" ? DEFAULT_SCHEMA : uniqueSchema();
  return {
    config: { ...(engine === "postgres" && { database: POSTGRES_URL }), dataDir, schema },
    async cleanup() {
      if (engine === "postgres") await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One signed delivery through the inbox's own receive path; the test fails unless it is acknowledged. `signedAt`
 * (unix seconds) is for an inbox with a clock of its own: the signature must be fresh by that clock.
 */
export async function deliver(inbox: Inbox, body: string, signedAt?: number): Promise<void> {
  const headers = signedHeaders(body, SECRET, signedAt);
  const response = await inbox.fetch(
    new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers, body }),
  );
  expect(response.status).toBe(200);
}

/** Many deliveries, `concurrency` at a time, so the group commit batches them; arrival follows `bodies`' order per lane. */
export async function deliverAll(inbox: Inbox, bodies: readonly string[], concurrency = 64): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      if (body !== undefined) await deliver(inbox, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, lane));
}

/** A snapshot event about one object, with Stripe's `created` in unix seconds. */
export function objectEvent(fields: { id: string; type: string; objectId: string; created: number }): string {
  return JSON.stringify({
    id: fields.id,
    object: "event",
    api_version: "2025-10-29.clover",
    created: fields.created,
    data: { object: { id: fields.objectId, object: fields.type.split(".")[0] ?? "customer" } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: fields.type,
  });
}

/** Writes a handlers module (`--handlers`): an ES module whose default export registers handlers. */
export function writeHandlersModule(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Sends `signal` (SIGKILL by default) if still running, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `stripe-inbox worker --handlers <module> ...` as its own process. */
export function startWorkerProcess(options: { handlers: string; env: Record<string, string>; args?: string[] }) {
  const child = spawn(process.execPath, [CLI, "worker", "--handlers", options.handlers, ...(options.args ?? [])], {
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Drained always: a full pipe would block the worker's logger.
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-65_536);
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const worker: WorkerProcess = {
    child,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    isRunning: () => running,
    async stop(signal = "SIGKILL") {
      if (running) child.kill(signal);
      return exited;
    },
  };
  return worker;
}

/** A connection of the test's own to the shared Postgres, to read what the processes under test wrote. */
export async function postgresClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  return client;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
