import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
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
