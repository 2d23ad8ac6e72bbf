import type Stripe from "stripe";
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
 * The event to apply when its `created` second equals the stored row's and another event wrote that row: Stripe
 * cannot say which of two same-second events is newer, so the object is fetched as the API has it now and
 * stamped with the fetch time in milliseconds, later than the tied second, so it wins whatever the event ids.
 * Without a tie, or when the API cannot fetch the type, the event as sent (the deterministic rule decides).
 */
export async function refetchOnTie(
  refetch: TieRefetch,
  schema: string,
  event: object,
  snapshot: ObjectSnapshot,
  nowMs: () => number = Date.now,
): Promise<object> {
  // A type the API cannot be asked for keeps the deterministic rule: no need to read its stamp.
  if (snapshot.deleted || !FETCHABLE.has(snapshot.table)) return event;
  const stored = await storedStamp(await refetch.store(), schema, snapshot);
  if (!stored || stored.created !== snapshot.eventCreated || stored.eventId === snapshot.eventId) return event;
  // Never the tied second itself: a fetch within it is still stamped a millisecond after it began.
  const stamp = () => Math.max(nowMs(), snapshot.eventCreated * 1000 + 1) / 1000;
  return revalidate(refetch.stripe(), event, snapshot, stamp);
}

/** The second and event id the row was last written with, or undefined when there is no row (or table) yet. */
async function storedStamp(
  store: Queryable,
  schema: string,
  snapshot: ObjectSnapshot,
): Promise<{ created: number; eventId: string } | undefined> {
  const sql = `SELECT floor(extract(epoch FROM last_event_created))::float8 AS created, last_event_id
    FROM ${quoteIdent(schema)}.${quoteIdent(snapshot.table)} WHERE account = $1 AND id = $2`;
  try {
    const [row] = await store.query<{ created: number; last_event_id: string }>(sql, [snapshot.account, snapshot.id]);
    return row && { created: Number(row.created), eventId: row.last_event_id };
  } catch (error) {
    if (sqlstateOf(error) === UNDEFINED_TABLE) return undefined;
    throw error;
  }
}
