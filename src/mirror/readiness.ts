import { quoteIdent } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";
import { loadMirrorMigrations } from "./migrate.js";

export const LATEST_MIRROR_MIGRATION = Math.max(0, ...loadMirrorMigrations().map((migration) => migration.id));

/** The highest mirror migration applied to `schema`, or 0 when it has none yet. */
export async function currentMirrorMigration(store: Queryable, schema: string): Promise<number> {
  const tracking = `${quoteIdent(schema)}._migrations`;
  const [exists] = await store.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [tracking]);
  if (!exists?.found) return 0;
  const [row] = await store.query<{ latest: number | null }>(`SELECT max(id) AS latest FROM ${tracking}`);
  return row?.latest ?? 0;
}

/** Null when the mirror schema's migrations are current, else the reason, for `/readyz`. */
export async function mirrorReadiness(store: Queryable, schema: string): Promise<string | null> {
  const current = await currentMirrorMigration(store, schema);
  return current === LATEST_MIRROR_MIGRATION
    ? null
    : `mirror migrations in schema ${schema} at ${current}, expected ${LATEST_MIRROR_MIGRATION}`;
}
