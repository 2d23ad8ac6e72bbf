import type { EventSummary } from "../inbox/event-queries.js";
import { tableForObject } from "../mirror/table-names.js";
import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { sqlstateOf } from "../store/unavailable.js";
import { searchEvents } from "./event-search.js";

export interface ObjectView {
  id: string;
  /** Stripe's `object` of the latest event about it (`customer`), null when no event names it. */
  object_type: string | null;
  /** The mirror's rows for it (one per Connect account), or null when the mirror is off or cannot hold the type. */
  mirror: { schema: string; table: string; rows: unknown[] } | null;
  /** The events that shaped it, newest received first. */
  events: EventSummary[];
}

const MAX_EVENTS = 100;
/** undefined_table, invalid_schema_name: the mirror has not seen this type (or was never migrated here). */
const NOT_MIRRORED = new Set(["42P01", "3F000"]);

/** One Stripe object: its mirror row when the mirror is on, and the events about it. */
export async function readObject(store: Store, mirrorSchema: string | null, id: string): Promise<ObjectView> {
  const [latest] = await store.query<{ type: string | null }>(
    `SELECT data_object_type AS type FROM ${quoteIdent(store.schema)}.events
      WHERE data_object_id = $1 ORDER BY created DESC, id DESC LIMIT 1`,
    [id],
  );
  const objectType = latest?.type ?? null;
  const { data: events } = await searchEvents(store, { objectId: id, limit: MAX_EVENTS });
  const table = objectType ? tableForObject(objectType) : null;
  if (!mirrorSchema || !table) return { id, object_type: objectType, mirror: null, events };
  let rows: unknown[] = [];
  try {
    const found = await store.query<{ row: unknown }>(
      `SELECT to_jsonb(t) AS row FROM ${quoteIdent(mirrorSchema)}.${quoteIdent(table)} t WHERE t.id = $1 ORDER BY t.account`,
      [id],
    );
    rows = found.map(({ row }) => (typeof row === "string" ? JSON.parse(row) : row));
  } catch (error) {
    if (!NOT_MIRRORED.has(sqlstateOf(error) ?? "")) throw error;
  }
  return { id, object_type: objectType, mirror: { schema: mirrorSchema, table, rows }, events };
}
