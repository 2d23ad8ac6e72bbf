import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { lockDataDir } from "./datadir-lock.js";
import type { Queryable, QueryOptions, Store } from "./store.js";

export interface PgliteStoreOptions {
  dataDir: string;
  schema: string;
}

/** PGlite's default 128 MB of shared buffers are all touched at start: most of the process's resident memory. */
const SHARED_BUFFERS = "16MB";

type Reply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: Record<string, unknown> };

/**
 * Embedded Postgres in WASM, so `npm start` needs nothing installed. One process per data directory. PGlite runs
 * on a thread of its own (src/store/pglite-thread.mjs), so that its statements never stall the requests that the
 * main thread parses and verifies meanwhile.
 */
export async function openPgliteStore({ dataDir, schema }: PgliteStoreOptions): Promise<Store> {
  const lock = lockDataDir(dataDir);
  const thread = new Worker(new URL("./pglite-thread.mjs", import.meta.url), {
    workerData: { path: join(dataDir, "pgdata"), sharedBuffers: SHARED_BUFFERS },
    // A thread inherits the process's flags, and refuses to start with `--input-type` (for `node -e` only).
    execArgv: process.execArgv.filter((flag) => !flag.startsWith("--input-type")),
  });
  const client = threadClient(thread);
  try {
    await client.request({}, 0);
  } catch (error) {
    await thread.terminate();
    lock.release();
    throw error;
  }

  let nextTransaction = 1;
  const queryable = (txId?: number): Queryable => ({
    query: async <Row extends object>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
      (await client.request({ op: "query", sql, params, txId, prepareAs: options?.prepareAs })) as Row[],
    exec: async (sql) => {
      await client.request({ op: "exec", sql, txId });
    },
  });
  return {
    engine: "pglite",
    schema,
    // PGlite runs one statement at a time; more batches in flight would only queue inside it.
    concurrency: 1,
    ...queryable(),
    async transaction(fn) {
      const txId = nextTransaction++;
      await client.request({ op: "begin", txId });
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(queryable(txId));
      } catch (error) {
        await client.request({ op: "rollback", txId });
        throw error;
      }
      await client.request({ op: "commit", txId });
      return result;
    },
    async close() {
      try {
        await client.request({ op: "close" });
      } finally {
        await thread.terminate();
        lock.release();
      }
    },
  };
}

/**
 * Requests to the thread, each answered by the reply with its id. The thread keeps the process alive only while a
 * request waits for its reply, as a socket to a database server would. A thread that dies fails every request.
 */
function threadClient(thread: Worker) {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  const settle = (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(Object.assign(new Error(String(reply.error.message)), reply.error));
  };
  const failAll = (error: Error) => {
    failure = error;
    for (const [id] of pending) settle({ id, ok: false, error: { message: error.message } });
  };
  thread.on("message", settle);
  thread.on("error", failAll);
  thread.on("exit", (code) => failAll(new Error(`the embedded database's thread exited (code ${code})`)));

  return {
    /** Sends a message and waits for its reply; id 0 is the thread's answer to its start. */
    request(message: Record<string, unknown>, id = nextId++): Promise<unknown> {
      if (failure) return Promise.reject(failure);
      if (pending.size === 0) thread.ref();
      const reply = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      if (id !== 0) thread.postMessage({ ...message, id });
      return reply;
    },
  };
}
