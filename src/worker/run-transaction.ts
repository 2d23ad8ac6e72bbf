import type { Queryable, QueryOptions, Store } from "../store/store.js";
import { isStoreUnavailable } from "../store/unavailable.js";
import type { Semaphore } from "./semaphore.js";

/**
 * The run's transaction, begun on the handler's first query through `ctx.tx` / `ctx.sql`. A handler that never
 * writes to the database holds no connection while it calls other systems, and its success is recorded in a
 * batch with other runs' (see complete-runs.ts); one that does gets its writes committed with its success.
 */
export interface RunTransaction {
  /** What the handler sees as `ctx.tx`. */
  readonly tx: Queryable;
  /** True once the handler has used the transaction. */
  readonly opened: boolean;
  /**
   * The error of the database, not of the handler, that ended the transaction: its connection was lost, or could
   * not be had. Undefined while none was seen.
   */
  readonly storeFailure: unknown;
  /** Runs `last` inside the transaction (the run's success), then commits. Rejects when anything in it failed. */
  commit(last: (tx: Queryable) => Promise<void>): Promise<void>;
  /** Rolls back, if open. Never rejects. */
  rollback(reason: unknown): Promise<void>;
  /**
   * The worker gave up on the run while its handler still runs: rolls back now if open (after the handler's query
   * in flight, if any), and refuses every later query. Never rejects.
   */
  abandon(reason: Error): Promise<void>;
}

interface Ending {
  resolve(last: (tx: Queryable) => Promise<void>): void;
  reject(reason: unknown): void;
}

/**
 * `begin` runs first inside the transaction (re-locking the run); if it throws, so does the handler's query. The
 * transaction waits for a permit of `openAtOnce` before it takes a connection, so that run transactions never
 * hold the connections the worker needs to claim runs and record outcomes.
 */
export function lazyRunTransaction(
  store: Store,
  begin: (tx: Queryable) => Promise<void>,
  openAtOnce: Semaphore,
): RunTransaction {
  let ready: Promise<Queryable> | null = null;
  let finished: Promise<void> = Promise.resolve();
  let end: Ending | null = null;
  let abandoned: Error | undefined;
  let storeFailure: unknown;

  /** Remembers an error of the database's (by SQLSTATE class, or a socket's), then passes it on. */
  const noting = (error: unknown): never => {
    if (storeFailure === undefined && !abandoned && isStoreUnavailable(error)) storeFailure = error;
    throw error;
  };

  const open = () => {
    if (abandoned && !ready) return Promise.reject(abandoned);
    ready ??= openAtOnce.acquire().then(
      (release) =>
        new Promise<Queryable>((resolveReady, rejectReady) => {
          finished = store
            .transaction(async (tx) => {
              if (abandoned) throw abandoned;
              await begin(tx);
              if (abandoned) throw abandoned;
              const ending = new Promise<(tx: Queryable) => Promise<void>>((resolve, reject) => {
                end = { resolve, reject };
              });
              resolveReady(tx);
              const last = await ending;
              await last(tx);
            })
            .finally(release);
          // A failed begin reaches the handler through its query; the executor sees it again from commit().
          finished.catch(rejectReady);
        }),
    );
    return ready;
  };

  return {
    tx: {
      query: <Row extends object>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        open()
          .then((tx) => tx.query<Row>(sql, params, options))
          .catch(noting),
      exec: (sql) =>
        open()
          .then((tx) => tx.exec(sql))
          .catch(noting),
    },
    get opened() {
      return ready !== null;
    },
    get storeFailure() {
      return storeFailure;
    },
    async commit(last) {
      // Wait for the handler's transaction to be fully begun: it may have returned without awaiting its query.
      await ready?.catch(noting);
      end?.resolve(last);
      await finished.catch(noting);
    },
    async rollback(reason) {
      await ready?.catch(() => {});
      end?.reject(reason);
      await finished.catch(() => {});
    },
    async abandon(reason) {
      abandoned ??= reason;
      // A transaction still waiting for its permit or its BEGIN sees `abandoned` and rolls back by itself.
      end?.reject(reason);
      await finished.catch(() => {});
    },
  };
}
