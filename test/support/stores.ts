import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openPgliteStore } from "../../src/store/pglite.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";

/** The machine's shared Postgres; every test file works in a schema of its own and drops it after. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type Engine = "postgres" | "pglite";
export const ENGINES: Engine[] = ["postgres", "pglite"];

export function uniqueSchema(): string {
  return `t_${randomBytes(6).toString("hex")}`;
}

export function tempDir(prefix = "stripe-inbox-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestStore {
  store: Store;
  /** How the inbox under test is configured to reach the same database. */
  config: { database?: string; dataDir: string; schema: string };
  cleanup(): Promise<void>;
}

/** Opens a fresh, empty store (not migrated) on the given engine. */
export async function openTestStore(engine: Engine): Promise<TestStore> {
  const schema = uniqueSchema();
  const dataDir = tempDir();
  if (engine === "postgres") {
    const store = openPostgresStore({ connectionString: POSTGRES_URL, schema });
    return {
      store,
      config: { database: POSTGRES_URL, dataDir, schema },
      async cleanup() {
        await store.close().catch(() => {});
        await dropSchema(schema);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  cpSync(await initialisedPgliteDir(), dataDir, { recursive: true });
  const store = await openPgliteStore({ dataDir, schema });
  return {
    store,
    config: { dataDir, schema },
    async cleanup() {
      await store.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A PGlite data directory after initdb, with nothing in it: initdb takes seconds of CPU per directory, a copy a
 * few milliseconds. Made once per PGlite release and kept in the temp dir; each store opens a copy of it.
 */
async function initialisedPgliteDir(): Promise<string> {
  const release = createHash("sha256")
    .update(readFileSync(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url)))
    .digest("hex")
    .slice(0, 16);
  const template = join(tmpdir(), `stripe-inbox-pglite-initdb-${release}`);
  const ready = join(template, "pgdata", "PG_VERSION");
  if (!existsSync(ready)) {
    const building = mkdtempSync(`${template}-building-`);
    await (await openPgliteStore({ dataDir: building, schema: "unused" })).close();
    try {
      renameSync(building, template);
    } catch {
      // Another test file made it at the same time; theirs is as good.
      rmSync(building, { recursive: true, force: true });
    }
  }
  return template;
}
