import pg from "pg";
import type { Queryable, QueryOptions, Store } from "./store.js";

export interface PostgresStoreOptions {
  connectionString: string;
  schema: string;
  /** Pool size; also how many group-commit batches run at once. */
  poolSize?: number;
  onError?: (error: Error) => void;
}

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 15_000;
/** For a statement that scans a large table: still bounded, so that a server gone away is noticed. */
const LONG_QUERY_TIMEOUT_MS = 30 * 60_000;

export function openPostgresStore({ connectionString, schema, poolSize = 4, onError }: PostgresStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Client-side bound: a server that vanished mid-query must not hold requests forever.
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: "stripe-inbox",
    // Every statement here is short; JIT compilation only adds tens of milliseconds to them.
    options: "-c jit=off",
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would crash the process.
  pool.on("error", (error) => onError?.(error));

  /** Runs on the pool or on one client; a named statement is parsed and planned once per connection. */
  const queryOn =
    (target: pg.Pool | pg.PoolClient) =>
    async <Row extends object>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
      const values = params as unknown[] | undefined;
      const name = options?.prepareAs;
      const result = options?.longRunning
        ? await target.query<Row>(longRunning({ text: sql, values: values ?? [] }))
        : name === undefined
          ? await target.query<Row>(sql, values)
          : await target.query<Row>({ name, text: sql, values: values ?? [] });
      return result.rows;
    };
  const query = queryOn(pool);
  return {
    engine: "postgres",
    schema,
    concurrency: poolSize,
    query,
    exec: async (sql, options) => {
      await pool.query(execConfig(sql, options));
    },
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no 'error' listener of the pool's: its connection dying while the caller awaits
      // something else would end the process. The driver rejects the queries in flight; later ones get the same error.
      let broken: Error | undefined;
      const onConnectionError = (error: Error) => {
        broken ??= error;
      };
      client.on("error", onConnectionError);
      let ended = false;
      // Once released, the client may be serving someone else: a late query must not run on it.
      const usable = () => {
        if (broken) throw broken;
        if (ended) throw new Error("This transaction has ended; a query through it can no longer run.");
      };
      const onClient = queryOn(client);
      const tx: Queryable = {
        query: async (sql, params, options) => {
          usable();
          return onClient(sql, params, options);
        },
        exec: async (sql, options) => {
          usable();
          await client.query(execConfig(sql, options));
        },
      };
      try {
        await client.query("BEGIN");
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        if (!broken) {
          await client.query("ROLLBACK").catch((rollbackError: Error) => {
            broken ??= rollbackError;
          });
        }
        throw error;
      } finally {
        ended = true;
        // A client whose connection failed, or whose ROLLBACK did, is in an unknown state: destroyed, never reused.
        client.release(broken);
        client.off("error", onConnectionError);
      }
    },
    close: () => pool.end(),
  };
}

/** Several statements in one simple-protocol query; a long-running one gets the long time limit. */
function execConfig(sql: string, options: QueryOptions | undefined): pg.QueryConfig {
  return options?.longRunning ? longRunning({ text: sql }) : { text: sql };
}

/** node-postgres reads a query's own `query_timeout` before the pool's; its type declarations omit it. */
function longRunning(config: pg.QueryConfig): pg.QueryConfig {
  const timed: pg.QueryConfig & { query_timeout: number } = { ...config, query_timeout: LONG_QUERY_TIMEOUT_MS };
  return timed;
}
