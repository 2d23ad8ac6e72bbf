import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { lockDataDir } from "./datadir-lock.js";
import type { Queryable, Store } from "./store.js";

export interface PgliteStoreOptions {
  dataDir: string;
  schema: string;
}

const SHARED_BUFFERS = "16MB";

/** Embedded Postgres in WASM, so `npm start` needs nothing installed. One process per data directory. */
export async function openPgliteStore({ dataDir, schema }: PgliteStoreOptions): Promise<Store> {
  const lock = lockDataDir(dataDir);
  let db: PGlite;
  try {
    // PGlite's default 128 MB of shared buffers are all touched at start: most of the process's resident memory.
    db = await PGlite.create(join(dataDir, "pgdata"), {
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`],
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  const asQueryable = (target: Pick<PGlite, "query" | "exec">): Queryable => ({
    query: async <Row extends object>(sql: string, params?: readonly unknown[]) =>
      (await target.query<Row>(sql, params as unknown[] | undefined)).rows,
    exec: async (sql) => {
      await target.exec(sql);
    },
  });
  return {
    engine: "pglite",
    schema,
    // PGlite runs one statement at a time; more batches in flight would only queue inside it.
    concurrency: 1,
    ...asQueryable(db),
    transaction: (fn) => db.transaction((tx) => fn(asQueryable(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
