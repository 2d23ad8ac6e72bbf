/** The whole surface the inbox needs from a database; PGlite and node-postgres each implement it in one file. */
export interface Queryable {
  query<Row extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string, options?: QueryOptions): Promise<void>;
}

export interface QueryOptions {
  /** Names a hot statement so that an engine that can keeps it prepared per connection (parsed and planned once). */
  prepareAs?: string;
  /** A statement that reads a whole large table (a migration, a month's partition): no short client-side time limit. */
  longRunning?: boolean;
}

export interface Store extends Queryable {
  readonly engine: "postgres" | "pglite";
  /** The inbox schema, already validated as a plain identifier. */
  readonly schema: string;
  /** How many statements may run at once; the group commit keeps this many batches in flight. */
  readonly concurrency: number;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_SCHEMA = "stripe_inbox";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}
