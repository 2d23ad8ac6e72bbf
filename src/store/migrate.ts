import { readdirSync, readFileSync } from "node:fs";
import { createPartitionsAhead } from "./partitions.js";
import type { Queryable, Store } from "./store.js";
import { sqlstateOf } from "./unavailable.js";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const MIGRATION_FILE = /^(\d{4})-[a-z0-9-]+\.sql$/;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** The numbered plain-SQL files (`0001-name.sql`) in `directory`, in order. */
export function loadMigrationFiles(directory: URL): Migration[] {
  return readdirSync(directory)
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((name) => ({
      id: Number(name.slice(0, 4)),
      name,
      sql: readFileSync(new URL(name, directory), "utf8"),
    }));
}

/** The inbox's numbered plain-SQL files shipped beside this module, in order. */
export function loadMigrations(): Migration[] {
  return loadMigrationFiles(MIGRATIONS_DIR);
}

export const LATEST_MIGRATION = Math.max(0, ...loadMigrations().map((migration) => migration.id));

export interface MigrationSet {
  /** The folder of numbered `.sql` files. */
  directory: URL;
  /** The schema the files' `{{schema}}` placeholder stands for; created if missing. */
  schema: string;
  /** The table in `schema` recording which files ran. */
  trackingTable: string;
  /** Names the advisory lock that serialises migrators of this set. */
  lockKey: string;
}

const DEADLOCK_DETECTED = "40P01";
const DEADLOCK_ATTEMPTS = 5;

/**
 * A migration that changes a table in use may deadlock with a statement of a running process (a worker holding runs
 * while it reads events); Postgres rolls one of the two back. When it is the migration, it runs again.
 */
async function retryDeadlocks<T>(apply: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await apply();
    } catch (error) {
      if (sqlstateOf(error) !== DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

/**
 * Applies pending migrations, each in its own transaction under a transaction-level advisory lock,
 * so two processes starting at once apply each file exactly once. Returns the names applied.
 */
export async function applyMigrations(store: Store, set: MigrationSet): Promise<string[]> {
  const schema = quoteIdent(set.schema);
  const tracking = `${schema}.${quoteIdent(set.trackingTable)}`;
  const lock = (tx: Queryable) => tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [set.lockKey]);

  await store.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${tracking} (
        id integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
  });

  const applied: string[] = [];
  for (const migration of loadMigrationFiles(set.directory)) {
    const apply = () =>
      store.transaction(async (tx) => {
        await lock(tx);
        const done = await tx.query(`SELECT 1 FROM ${tracking} WHERE id = $1`, [migration.id]);
        if (done.length > 0) return false;
        // A migration may scan a large table (0010, 0011): not held to the time limit of ordinary statements.
        await tx.exec(migration.sql.replaceAll("{{schema}}", schema), { longRunning: true });
        await tx.query(`INSERT INTO ${tracking} (id, name) VALUES ($1, $2)`, [migration.id, migration.name]);
        return true;
      });
    const ran = await retryDeadlocks(apply);
    if (ran) applied.push(migration.name);
  }
  return applied;
}

/**
 * Applies the inbox's pending migrations to `store.schema`, then creates the month partitions around `now` that are
 * missing. Returns the names of the migrations applied.
 */
export async function migrate(store: Store, now = new Date()): Promise<string[]> {
  const applied = await applyMigrations(store, {
    directory: MIGRATIONS_DIR,
    schema: store.schema,
    trackingTable: "migrations",
    lockKey: `stripe_inbox.migrate.${store.schema}`,
  });
  await createPartitionsAhead(store, now);
  return applied;
}

/** The highest applied migration, or 0 when the schema has none yet. */
export function currentMigration(store: Queryable & { schema: string }): Promise<number> {
  return latestApplied(store, store.schema, "migrations");
}

/** The highest migration a set's tracking table (see MigrationSet) records, or 0 when it does not exist yet. */
export async function latestApplied(db: Queryable, schema: string, trackingTable: string): Promise<number> {
  const tracking = `${quoteIdent(schema)}.${quoteIdent(trackingTable)}`;
  const [exists] = await db.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [tracking]);
  if (!exists?.found) return 0;
  const [row] = await db.query<{ latest: number | null }>(`SELECT max(id) AS latest FROM ${tracking}`);
  return row?.latest ?? 0;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
