// @ts-check
// The embedded database's own thread: PGlite runs Postgres in WebAssembly, synchronously, so on the thread that
// parses HTTP every statement would stall every request. This thread owns the PGlite instance and answers the
// messages of src/store/pglite.ts: one request, one reply with the same id. Plain JavaScript, so that it loads the
// same way from src/ in tests and from dist/ in the package.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { preparedStatements } from "./pglite-prepared.mjs";

const port = parentPort;
if (!port) throw new Error("pglite-thread.mjs runs as a worker thread of src/store/pglite.ts");

/** Thrown inside PGlite's transaction callback to make it roll back; never reaches the other thread. */
const ROLLBACK = Symbol("rollback");

/** @type {Map<number, { tx: import("@electric-sql/pglite").Transaction, end: (commit: boolean, replyId: number) => void }>} */
const transactions = new Map();

/** @param {unknown} error */
function serializeError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  // Own properties carry what callers read (SQLSTATE `code`, `detail`, `constraint`); the rest is dropped.
  /** @type {Record<string, unknown>} */
  const fields = { message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== "name" && ["string", "number", "boolean"].includes(typeof value)) fields[key] = value;
  }
  return fields;
}

/** @param {number} id @param {() => Promise<unknown>} work */
async function answer(id, work) {
  try {
    port?.postMessage({ id, ok: true, value: await work() });
  } catch (error) {
    port?.postMessage({ id, ok: false, error: serializeError(error) });
  }
}

/** @param {PGlite} db @param {number} id @param {number} txId */
function begin(db, id, txId) {
  /** @type {number | null} */
  let endId = null;
  const finished = db.transaction(
    (tx) =>
      new Promise((resolve, reject) => {
        transactions.set(txId, {
          tx,
          end: (commit, replyId) => {
            endId = replyId;
            if (commit) resolve(undefined);
            else reject(ROLLBACK);
          },
        });
        port?.postMessage({ id, ok: true });
      }),
  );
  finished
    .then(
      () => port?.postMessage({ id: endId, ok: true }),
      (error) => {
        // BEGIN itself failed: the reply goes to the begin request; otherwise to the commit or rollback.
        if (!transactions.has(txId)) return port?.postMessage({ id, ok: false, error: serializeError(error) });
        port?.postMessage(
          error === ROLLBACK ? { id: endId, ok: true } : { id: endId, ok: false, error: serializeError(error) },
        );
      },
    )
    .finally(() => transactions.delete(txId));
}

async function main() {
  /** @type {PGlite} */
  let db;
  try {
    db = await PGlite.create(workerData.path, {
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${workerData.sharedBuffers}`],
    });
  } catch (error) {
    port?.postMessage({ id: 0, ok: false, error: serializeError(error) });
    return;
  }
  port?.postMessage({ id: 0, ok: true });
  const prepared = preparedStatements(db);

  /**
   * A named statement runs under PGlite's own locks, as its query() would. Outside our transactions it also takes the
   * transaction lock, so it waits for an open transaction to end instead of running inside it; in one, it checks
   * that the transaction is still open once its turn comes (a COMMIT may have been queued before it).
   * @param {{ sql: string, params?: unknown[], prepareAs: string }} message @param {import("@electric-sql/pglite").Transaction | undefined} tx
   */
  async function queryPrepared({ sql, params = [], prepareAs }, tx) {
    const run = async () => {
      await db._checkReady();
      if (tx?.closed) throw new Error("Transaction is closed");
      try {
        const rows = await prepared.query(prepareAs, sql, params, tx !== undefined);
        // A statement on its own is durable once it returns, as after query(); a transaction's are at its COMMIT.
        if (!tx) await db.syncToFs();
        return rows;
      } catch (error) {
        // query() names the statement on its errors as well.
        if (error instanceof Error) Object.assign(error, { query: sql });
        throw error;
      }
    };
    return tx ? db.runExclusive(run) : db._runExclusiveTransaction(() => db.runExclusive(run));
  }

  port?.on("message", (message) => {
    const { id, op, txId } = message;
    const target = txId === undefined ? db : transactions.get(txId)?.tx;
    switch (op) {
      case "query":
        return answer(id, async () => {
          if (!target) throw new Error(`transaction ${txId} is not open`);
          if (message.prepareAs !== undefined) return queryPrepared(message, transactions.get(txId)?.tx);
          return (await target.query(message.sql, message.params)).rows;
        });
      case "exec":
        return answer(id, async () => {
          if (!target) throw new Error(`transaction ${txId} is not open`);
          await target.exec(message.sql);
        });
      case "begin":
        return begin(db, id, txId);
      case "commit":
      case "rollback": {
        const open = transactions.get(txId);
        if (open) return open.end(op === "commit", id);
        return port?.postMessage({ id, ok: false, error: { message: `transaction ${txId} is not open` } });
      }
      case "close":
        return answer(id, () => db.close()).then(() => port?.close());
    }
  });
}

void main();
