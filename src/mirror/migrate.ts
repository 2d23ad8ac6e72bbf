import { ConfigError } from "../errors.js";
import { applyMigrations, loadMigrationFiles, type Migration } from "../store/migrate.js";
import { isPlainIdentifier, type Store } from "../store/store.js";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

export const DEFAULT_MIRROR_SCHEMA = "stripe";
/** Records the mirror's applied files; the underscore keeps it apart from the tables named after Stripe objects. */
export const MIRROR_TRACKING_TABLE = "_migrations";

/** The mirror's numbered SQL files, `{{schema}}` standing for the mirror schema. */
export function loadMirrorMigrations(): Migration[] {
  return loadMigrationFiles(MIGRATIONS_DIR);
}

export function checkMirrorSchema(schema: string): string {
  if (!isPlainIdentifier(schema)) {
    throw new ConfigError(`Mirror schema "${schema}" must be a plain lower-case identifier (a-z, 0-9, _).`);
  }
  return schema;
}

/**
 * The inbox's migration mechanism for the mirror's own files and schema, tracked in `<schema>._migrations`.
 * Returns the names applied.
 */
export async function migrateMirror(store: Store, mirrorSchema: string): Promise<string[]> {
  return applyMigrations(store, {
    directory: MIGRATIONS_DIR,
    schema: checkMirrorSchema(mirrorSchema),
    trackingTable: MIRROR_TRACKING_TABLE,
    lockKey: `stripe_inbox.migrate_mirror.${mirrorSchema}`,
  });
}
