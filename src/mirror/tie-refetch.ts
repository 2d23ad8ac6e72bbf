import { createHash } from "node:crypto";
import type Stripe from "stripe";
import { groupBy } from "../collections.js";
import { quoteIdent } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";
import { sqlstateOf } from "../store/unavailable.js";
import { REVALIDATE_TYPES, revalidate } from "./revalidate.js";
import type { ObjectSnapshot } from "./snapshot.js";

/** SQLSTATE undefined_table: a type no event has brought yet has no table, so no row to tie with. */
const UNDEFINED_TABLE = "42P01";
const FETCHABLE = new Set(REVALIDATE_TYPES);

export interface TieRefetch {
  stripe: () => Stripe;
  /** The store itself, not a run's transaction: the stamp is read before the run's transaction begins. */
  store: () => Promise<Queryable>;
}

/**
 * Returns what to apply for an event: when its `created` second equals the stored row's and another event wrote
 * that row, Stripe cannot say which of two same-second events is newer, so the object is fetched as the API has
 * it now and stamped with the fetch time in milliseconds, later than the tied second, so it wins whatever the
 * event ids. Without a tie, or when the API cannot fetch the type, the event as sent (the deterministic rule
 * decides).
 */
export function tieRefetcher(
  refetch: TieRefetch,
  schema: string,
  nowMs: () => number = Date.now,
): (event: object, snapshot: ObjectSnapshot) => Promise<object> {
  const stamps = stampReader(refetch.store, schema);
  return async (event, snapshot) => {
    // A type the API cannot be asked for keeps the deterministic rule: no need to read its stamp.
    if (snapshot.deleted || !FETCHABLE.has(snapshot.table)) return event;
    const stored = await stamps.read(snapshot);
    if (!stored || stored.created !== snapshot.eventCreated || stored.eventId === snapshot.eventId) return event;
    // Never the tied second itself: a fetch within it is still stamped a millisecond after it began.
    const stamp = () => Math.max(nowMs(), snapshot.eventCreated * 1000 + 1) / 1000;
    return revalidate(refetch.stripe(), event, snapshot, stamp);
  };
}

interface Stamp {
  /** The second the row was last written with. */
  created: number;
  eventId: string;
}

interface PendingRead {
  snapshot: ObjectSnapshot;
  resolve(stamp: Stamp | undefined): void;
  reject(error: unknown): void;
}

/**
 * Reads rows' stamps for many runs at once: the reads asked for in one turn of the event loop (the runs of one
 * claim start together) become one query per table, instead of a round trip per event.
 */
function stampReader(store: () => Promise<Queryable>, schema: string) {
  let pending: PendingRead[] = [];

  const readTable = async (db: Queryable, table: string, reads: PendingRead[]) => {
    const sql = `SELECT s.account, s.id, floor(extract(epoch FROM s.last_event_created))::float8 AS created,
        s.last_event_id
      FROM ${quoteIdent(schema)}.${quoteIdent(table)} s
      JOIN unnest($1::text[], $2::text[]) AS k(account, id) ON s.account = k.account AND s.id = k.id`;
    let rows: Array<{ account: string; id: string; created: number; last_event_id: string }> = [];
    try {
      rows = await db.query(sql, [reads.map((read) => read.snapshot.account), reads.map((read) => read.snapshot.id)], {
        prepareAs: `mirror_stamps_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`,
      });
    } catch (error) {
      // A type no event has brought yet has no table, so no row to tie with.
      if (sqlstateOf(error) !== UNDEFINED_TABLE) throw error;
    }
    const found = new Map(rows.map((row) => [`${row.account}\n${row.id}`, row]));
    for (const read of reads) {
      const row = found.get(`${read.snapshot.account}\n${read.snapshot.id}`);
      read.resolve(row && { created: Number(row.created), eventId: row.last_event_id });
    }
  };

  const flush = async () => {
    const batch = pending;
    pending = [];
    const byTable = groupBy(batch, (read) => read.snapshot.table);
    try {
      const db = await store();
      await Promise.all(
        [...byTable].map(([table, reads]) =>
          readTable(db, table, reads).catch((error: unknown) => {
            for (const read of reads) read.reject(error);
          }),
        ),
      );
    } catch (error) {
      for (const read of batch) read.reject(error);
    }
  };

  return {
    read: (snapshot: ObjectSnapshot) =>
      new Promise<Stamp | undefined>((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ snapshot, resolve, reject });
      }),
  };
}
