import { createHash } from "node:crypto";
import { quoteIdent } from "../store/migrate.js";

/** A statement and the name it is prepared under (per connection; the text differs per schema and table). */
export interface Statement {
  text: string;
  name: string;
}

/**
 * In a same-second tie, a `*.created` event is older than any other event about its object: an object is created
 * before it changes. Other ties fall to the event id, which Stripe does not order by time: arbitrary, but the same
 * whichever order the events arrive in.
 */
const RANK = (row: string) => `(CASE WHEN ${row}.last_event_type LIKE '%.created' THEN 0 ELSE 1 END)`;

/** Where a parent's nested list goes: its table and the column holding the parent's id. */
export interface NestedTarget {
  table: string;
  parentColumn: string;
}

/** The fields of one object's row in the statement's input (a JSON array; see upsertObjects). */
export interface UpsertInput {
  account: string;
  id: string;
  data: Record<string, unknown>;
  livemode: boolean;
  deleted: boolean;
  event_id: string;
  /** Unix seconds, fractional for a refetched object. */
  event_created: number;
  api_version: string | null;
  event_type: string;
  /** The nested list's items, and whether the list is complete (with `nested` only). */
  items?: Array<Record<string, unknown>>;
  complete?: boolean;
}

/** One row per input object. */
export interface UpsertResult {
  account: string;
  id: string;
  /** The api_version stored before this statement, null for a new row. */
  previous_api_version: string | null;
  /** Whether the row now holds this input's snapshot. */
  applied: boolean;
}

/**
 * Writes objects' snapshots, each unless its row holds a newer one, in one statement: $1 is a JSON array of
 * UpsertInput, at most one per (account, id), written in the array's order (sort it by key, so that concurrent
 * statements lock rows in the same order). An update applies to a live row when its (created, `*.created`
 * first, event id) is greater; a delete applies to any live row, whatever its age, so a tombstone is final and
 * an older update arriving later cannot resurrect it. A tombstone's data is the stored object overlaid with the
 * delete's snapshot.
 *
 * With `nested`, each parent's list is written in the same statement, only where the parent's write applied:
 * every item upserted and, when the list is complete, the parent's other rows deleted (replaced, not merged).
 * The delete runs in the table's `prune_` function once the upsert holds the parent's row, with a snapshot of
 * its own: it sees the rows of any concurrent writer of the same parent, which this statement's snapshot may not.
 */
export function upsertObjects(schema: string, table: string, nested: NestedTarget | null): Statement {
  const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const text = `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
    account text, id text, data jsonb, livemode boolean, deleted boolean, event_id text, event_created float8,
    api_version text, event_type text${nested ? ", items jsonb, complete boolean" : ""})
), previous AS (
  SELECT s.account, s.id, s.api_version FROM ${target} s JOIN input i ON s.account = i.account AND s.id = i.id
), written AS (
  INSERT INTO ${target} AS stored
    (account, id, data, livemode, deleted, last_event_id, last_event_created, last_event_type, api_version)
  SELECT account, id, data, livemode, deleted, event_id, to_timestamp(event_created), event_type, api_version
    FROM input
  ON CONFLICT (account, id) DO UPDATE SET
    data = CASE WHEN excluded.deleted THEN stored.data || excluded.data ELSE excluded.data END,
    livemode = excluded.livemode,
    deleted = stored.deleted OR excluded.deleted,
    updated_at = now(),
    last_event_id = excluded.last_event_id,
    last_event_created = excluded.last_event_created,
    last_event_type = excluded.last_event_type,
    api_version = excluded.api_version
  WHERE (excluded.deleted AND NOT stored.deleted)
     OR ((excluded.deleted OR NOT stored.deleted)
         AND (excluded.last_event_created, ${RANK("excluded")}, excluded.last_event_id)
           > (stored.last_event_created, ${RANK("stored")}, stored.last_event_id))
  RETURNING stored.account, stored.id
)${nested ? nestedWrites(schema, nested) : ""}
SELECT i.account, i.id, p.api_version AS previous_api_version, w.id IS NOT NULL AS applied${
    nested ? ", (SELECT count(*) FROM items_removed) AS items_removed" : ""
  }
  FROM input i
  LEFT JOIN previous p ON p.account = i.account AND p.id = i.id
  LEFT JOIN written w ON w.account = i.account AND w.id = i.id`;
  return { text, name: `mirror_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` };
}

function nestedWrites(schema: string, { table, parentColumn }: NestedTarget): string {
  const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const parent = quoteIdent(parentColumn);
  return `, parents AS (
  SELECT i.* FROM input i JOIN written w ON w.account = i.account AND w.id = i.id
), items_written AS (
  INSERT INTO ${target} AS stored
    (account, ${parent}, id, data, livemode, last_event_id, last_event_created, last_event_type, api_version)
  SELECT p.account, p.id, item->>'id', item, p.livemode, p.event_id, to_timestamp(p.event_created), p.event_type,
         p.api_version
    FROM parents p, jsonb_array_elements(p.items) AS item
  ON CONFLICT (account, ${parent}, id) DO UPDATE SET
    data = excluded.data,
    livemode = excluded.livemode,
    updated_at = now(),
    last_event_id = excluded.last_event_id,
    last_event_created = excluded.last_event_created,
    last_event_type = excluded.last_event_type,
    api_version = excluded.api_version
), items_removed AS (
  -- Referenced by the final SELECT, which makes it run: a CTE that is a plain SELECT runs only when read.
  SELECT ${quoteIdent(schema)}.${quoteIdent(`prune_${table}`)}(
           p.account, p.id, ARRAY(SELECT item->>'id' FROM jsonb_array_elements(p.items) AS item)) AS removed
    FROM parents p WHERE p.complete
)`;
}
