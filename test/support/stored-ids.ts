import pg from "pg";
import { openPgliteStore } from "../../src/store/pglite.js";
import { DEFAULT_SCHEMA } from "../../src/store/store.js";
import { type Engine, POSTGRES_URL } from "./stores.js";

/**
 * The ids among `ids` that the inbox holds, read through a connection of our own rather than the server's.
 * For PGlite the server must have exited: the data directory is one process's at a time.
 */
export async function storedEventIds(
  engine: Engine,
  where: { schema: string; dataDir: string },
  ids: readonly string[],
): Promise<Set<string>> {
  const sql = (schema: string) => `SELECT id FROM "${schema}".events WHERE id = ANY($1::text[])`;
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      return new Set((await client.query<{ id: string }>(sql(where.schema), [ids])).rows.map((row) => row.id));
    } finally {
      await client.end();
    }
  }
  const store = await openPgliteStore({ dataDir: where.dataDir, schema: DEFAULT_SCHEMA });
  try {
    return new Set((await store.query<{ id: string }>(sql(DEFAULT_SCHEMA), [ids])).map((row) => row.id));
  } finally {
    await store.close();
  }
}
