import { latestApplied } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";
import { loadMirrorMigrations, MIRROR_TRACKING_TABLE } from "./migrate.js";

export const LATEST_MIRROR_MIGRATION = Math.max(0, ...loadMirrorMigrations().map((migration) => migration.id));

/** The highest mirror migration applied to `schema`, or 0 when it has none yet. */
export function currentMirrorMigration(store: Queryable, schema: string): Promise<number> {
  return latestApplied(store, schema, MIRROR_TRACKING_TABLE);
}

/** Null when the mirror schema's migrations are current, else the reason, for `/readyz`. */
export async function mirrorReadiness(store: Queryable, schema: string): Promise<string | null> {
  const current = await currentMirrorMigration(store, schema);
  return current === LATEST_MIRROR_MIGRATION
    ? null
    : `mirror migrations in schema ${schema} at ${current}, expected ${LATEST_MIRROR_MIGRATION}`;
}
