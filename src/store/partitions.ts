import { quoteIdent } from "./migrate.js";
import type { Queryable, Store } from "./store.js";
import { LOCK_NOT_AVAILABLE, sqlstateOf } from "./unavailable.js";

/** The inbox tables partitioned by month (migrations 0010 to 0012), with each one's partition key and primary key. */
export const PARTITIONED_TABLES = [
  { table: "events", key: "created", primaryKey: "id", queue: true },
  { table: "handler_runs", key: "event_created", primaryKey: "event_id, handler", queue: true },
  { table: "deliveries", key: "received_at", primaryKey: "id", queue: false },
] as const;

export type PartitionedTable = (typeof PARTITIONED_TABLES)[number]["table"];

/** One partition: a month [from, to), the first one (from null: everything before `to`), or the default (both null). */
export interface Partition {
  table: PartitionedTable;
  name: string;
  from: Date | null;
  to: Date | null;
}

/** Months created around now: the one before (late events of a month just ended), this one and the next two. */
const MONTHS_BEHIND = 1;
const MONTHS_AHEAD = 2;

/** The first instant of the month holding `time`, in UTC: partitions never depend on a server's time zone. */
export function monthStart(time: Date, monthsLater = 0): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth() + monthsLater, 1));
}

/** `events_2025_08` for the month starting 2025-08-01. */
export function partitionName(table: PartitionedTable, month: Date): string {
  return `${table}_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

const MONTH_SUFFIX = /_(before_)?(\d{4})_(\d{2})$/;

/** The partitions of the three tables, read from the catalog; their names say their bounds. */
export async function listPartitions(db: Queryable, schema: string): Promise<Partition[]> {
  const rows = await db.query<{ parent: PartitionedTable; name: string }>(
    `SELECT p.relname AS parent, c.relname AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relnamespace = $1::regnamespace AND p.relname = ANY($2::text[]) AND p.relkind = 'p'
      ORDER BY c.relname`,
    [quoteIdent(schema), PARTITIONED_TABLES.map(({ table }) => table)],
  );
  return rows.map(({ parent, name }) => {
    const match = MONTH_SUFFIX.exec(name.slice(parent.length));
    if (!match) return { table: parent, name, from: null, to: null };
    const month = new Date(Date.UTC(Number(match[2]), Number(match[3]) - 1, 1));
    return match[1]
      ? { table: parent, name, from: null, to: month }
      : { table: parent, name, from: month, to: monthStart(month, 1) };
  });
}

/**
 * Creates the month partitions around `now` that are missing, for the three tables. Rows the default partition took
 * for such a month (a clock that was off) move into it. Safe from several processes at once; a month whose locks are
 * not granted quickly is left to the next call (the default partition takes its rows meanwhile). Returns the names made.
 */
export async function createPartitionsAhead(store: Store, now: Date): Promise<string[]> {
  const created: string[] = [];
  for (let offset = -MONTHS_BEHIND; offset <= MONTHS_AHEAD; offset++) {
    const month = monthStart(now, offset);
    try {
      created.push(...(await store.transaction((tx) => createMonth(tx, store.schema, month))));
    } catch (error) {
      if (sqlstateOf(error) !== LOCK_NOT_AVAILABLE) throw error;
    }
  }
  return created;
}

/**
 * The parent's indexes, made on a new partition under names that say their role (`events_2025_08_pending_idx`, as
 * the first partition's `events_before_2025_08_pending_idx`): ATTACH adopts them, and plans read alike.
 */
async function partitionIndexes(db: Queryable, schema: string, table: string, partition: string): Promise<string[]> {
  const indexes = await db.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass ORDER BY i.relname`,
    [`${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  return indexes.map(({ name, definition }) => {
    const role = name.startsWith(`${table}_`) ? name.slice(table.length + 1) : name;
    // The schema is a plain identifier, so pg_get_indexdef never quotes the names this replaces.
    return definition.replace(
      /^CREATE INDEX \S+ ON ONLY \S+ /,
      `CREATE INDEX ${quoteIdent(`${partition}_${role}`)} ON ${quoteIdent(schema)}.${quoteIdent(partition)} `,
    );
  });
}

async function createMonth(tx: Queryable, schemaName: string, month: Date): Promise<string[]> {
  const schema = quoteIdent(schemaName);
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`stripe_inbox.partitions.${schemaName}`]);
  // Never wait long behind a long transaction: receiving and workers would queue behind this lock.
  await tx.exec("SET LOCAL lock_timeout = '2s'");
  const existing = await listPartitions(tx, schemaName);
  const next = monthStart(month, 1);
  const covered = (table: PartitionedTable) =>
    existing.some((p) => p.table === table && p.to !== null && p.to > month && (p.from === null || p.from < next));
  const made: string[] = [];
  for (const { table, key, primaryKey, queue } of PARTITIONED_TABLES) {
    if (covered(table)) continue;
    const name = partitionName(table, month);
    const parent = `${schema}.${quoteIdent(table)}`;
    const partition = `${schema}.${quoteIdent(name)}`;
    const fallback = `${schema}.${quoteIdent(`${table}_default`)}`;
    const range = `${quoteIdent(key)} >= '${month.toISOString()}' AND ${quoteIdent(key)} < '${next.toISOString()}'`;
    // Made apart and attached, with the default partition's rows of the month moved in first: ATTACH then checks a
    // table of those few rows, and holds the parent only in SHARE UPDATE EXCLUSIVE mode (inserts go on).
    await tx.exec(`
      LOCK TABLE ${fallback} IN EXCLUSIVE MODE;
      CREATE TABLE ${partition}
        (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION);
      ALTER TABLE ${partition} ADD PRIMARY KEY (${primaryKey});
      ${(await partitionIndexes(tx, schemaName, table, name)).join(";\n")};
      ${queue ? `ALTER TABLE ${partition} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);` : ""}
      WITH moved AS (DELETE FROM ${fallback} WHERE ${range} RETURNING *) INSERT INTO ${partition} SELECT * FROM moved;
      ALTER TABLE ${parent} ATTACH PARTITION ${partition}
        FOR VALUES FROM ('${month.toISOString()}') TO ('${next.toISOString()}');`);
    made.push(name);
  }
  return made;
}
