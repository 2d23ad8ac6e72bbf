import { quoteIdent } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";

/**
 * Makes sure a table exists for an object type, creating the generic one (the common columns) on first sight.
 * Tables are per type rather than one generic table keyed by type: queries read the same for every object, and a
 * type that later gets typed columns needs only an ALTER TABLE. Remembered per process once seen committed.
 */
export class ObjectTables {
  readonly #known = new Set<string>();
  readonly #checking = new Map<string, Promise<boolean>>();

  constructor(readonly schema: string) {}

  /** True once the table was seen committed: a write to it needs no check first. */
  isKnown(table: string): boolean {
    return this.#known.has(table);
  }

  /** Whether the table exists, asked outside any transaction; runs asking at once share one query. */
  async exists(db: Queryable, table: string): Promise<boolean> {
    if (this.#known.has(table)) return true;
    let checking = this.#checking.get(table);
    if (!checking) {
      checking = this.#lookUp(db, table).finally(() => this.#checking.delete(table));
      this.#checking.set(table, checking);
    }
    return checking;
  }

  async ensure(tx: Queryable, table: string): Promise<void> {
    if (await this.#lookUp(tx, table)) return;
    // Two runs meeting a new type at once would collide in the catalog (unique_violation on pg_type); the second
    // waits here until the first commits, then finds the table. Taken before any object lock, always.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`stripe_inbox.mirror_ddl.${this.schema}`]);
    // Not remembered: this transaction may still roll back, taking the table with it.
    await tx.query(`SELECT ${quoteIdent(this.schema)}.create_object_table($1)`, [table]);
  }

  async #lookUp(db: Queryable, table: string): Promise<boolean> {
    if (this.#known.has(table)) return true;
    const qualified = `${quoteIdent(this.schema)}.${quoteIdent(table)}`;
    const [found] = await db.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [qualified]);
    if (found?.exists) this.#known.add(table);
    return found?.exists === true;
  }
}
