import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { formatRetention } from "./duration.js";
import { type PruneResult, prune } from "./prune.js";

/** The inbox's size, and what retention will take from it: `/api/stats` and the dashboard's health page. */
export interface InboxStorage {
  /** Every table of the inbox's schema: bytes on disk with indexes and TOAST, and rows. */
  tables: Array<{ name: string; bytes: number; rows: number }>;
  /** When the oldest event still kept was received; null when none is. */
  oldestEventAt: string | null;
  /** `90d`, or `off`. */
  retention: string;
  /** What a prune at the retention's cut would remove now; null when retention is off. */
  nextPrune: Omit<PruneResult, "dryRun" | "payloadBytes" | "partitions" | "partitionBytes"> | null;
}

/**
 * Reads sizes from the catalog. Row counts are Postgres's estimates (kept by ANALYZE and autovacuum, cheap on a
 * large inbox); a table or partition never analysed yet is small, and counted.
 */
export async function readStorage(store: Store, retentionMs: number | null, now = new Date()): Promise<InboxStorage> {
  const schema = quoteIdent(store.schema);
  // One row per table, partitions counted into their table (migration 0012): each leaf's bytes and estimate.
  const leaves = await store.query<{ name: string; leaf: string; bytes: string; estimate: number }>(
    `SELECT c.relname AS name, l.relname AS leaf, pg_total_relation_size(l.oid)::bigint AS bytes,
            l.reltuples::float8 AS estimate
       FROM pg_class c
       -- A table that is not partitioned has no partition tree: it is its own leaf.
       LEFT JOIN LATERAL pg_partition_tree(c.oid) t ON t.isleaf
       JOIN pg_class l ON l.oid = coalesce(t.relid, c.oid)
      WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname, l.relname`,
    [schema],
  );
  const counted = await Promise.all(
    leaves.map(async ({ name, leaf, bytes, estimate }) => {
      const rows =
        estimate >= 0
          ? Math.round(estimate)
          : Number(
              (await store.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.${quoteIdent(leaf)}`))[0]?.n ?? 0,
            );
      return { name, bytes: Number(bytes), rows };
    }),
  );
  const tables: InboxStorage["tables"] = [];
  for (const leaf of counted) {
    const table = tables.at(-1)?.name === leaf.name ? tables.at(-1) : undefined;
    if (table) {
      table.bytes += leaf.bytes;
      table.rows += leaf.rows;
    } else tables.push({ ...leaf });
  }
  const [oldest] = await store.query<{ at: string | null }>(
    `SELECT to_json(min(received_at))#>>'{}' AS at FROM ${schema}.events`,
  );
  let nextPrune: InboxStorage["nextPrune"] = null;
  if (retentionMs !== null) {
    const {
      dryRun: _dryRun,
      payloadBytes: _payloadBytes,
      partitions: _partitions,
      partitionBytes: _partitionBytes,
      ...counts
    } = await prune(store, {
      before: new Date(now.getTime() - retentionMs),
      now,
      dryRun: true,
    });
    nextPrune = counts;
  }
  return { tables, oldestEventAt: oldest?.at ?? null, retention: formatRetention(retentionMs), nextPrune };
}
