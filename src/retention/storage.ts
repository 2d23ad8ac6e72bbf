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
  nextPrune: Omit<PruneResult, "dryRun" | "payloadBytes"> | null;
}

/**
 * Reads sizes from the catalog. Row counts are Postgres's estimates (kept by ANALYZE and autovacuum, cheap on a
 * large inbox); a table never analysed yet is small, and counted.
 */
export async function readStorage(store: Store, retentionMs: number | null, now = new Date()): Promise<InboxStorage> {
  const schema = quoteIdent(store.schema);
  const tables = await store.query<{ name: string; bytes: string; estimate: number }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes, c.reltuples::float8 AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    [store.schema],
  );
  const counted = await Promise.all(
    tables.map(async ({ name, bytes, estimate }) => {
      const rows =
        estimate >= 0
          ? Math.round(estimate)
          : Number(
              (await store.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.${quoteIdent(name)}`))[0]?.n ?? 0,
            );
      return { name, bytes: Number(bytes), rows };
    }),
  );
  const [oldest] = await store.query<{ at: string | null }>(
    `SELECT to_json(min(received_at))#>>'{}' AS at FROM ${schema}.events`,
  );
  let nextPrune: InboxStorage["nextPrune"] = null;
  if (retentionMs !== null) {
    const {
      dryRun: _dryRun,
      payloadBytes: _payloadBytes,
      ...counts
    } = await prune(store, {
      before: new Date(now.getTime() - retentionMs),
      now,
      dryRun: true,
    });
    nextPrune = counts;
  }
  return { tables: counted, oldestEventAt: oldest?.at ?? null, retention: formatRetention(retentionMs), nextPrune };
}
