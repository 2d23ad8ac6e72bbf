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

/**
 * Writes one object's snapshot unless the row holds a newer one, in one statement (one round trip). An update
 * applies to a live row when its (created, `*.created` first, event id) is greater; a delete applies to any live row, whatever its
 * age, so a tombstone is final and an older update arriving later cannot resurrect it. A tombstone's data is the
 * stored object overlaid with the delete's snapshot.
 *
 * With `nested`, the parent's list is written in the same statement, only when the parent's write applied: every
 * item upserted and, when the list is complete, the parent's other rows deleted (replaced, not merged). The
 * delete runs in the table's `prune_` function once the upsert holds the parent's row, with a snapshot of its
 * own: it sees the rows of any concurrent writer of the same parent, which this statement's snapshot may not.
 *
 * With `asynchronousCommit`, the statement also sets `synchronous_commit = off` for the rest of the transaction.
 *
 * Returns the api_version stored before and whether the row was written.
 * $1 account, $2 id, $3 data, $4 livemode, $5 deleted, $6 event id, $7 event created (unix s), $8 api_version,
 * $9 event type; with `nested`: $10 the items (a jsonb array), $11 whether the list is complete.
 */
export function upsertObject(
  schema: string,
  table: string,
  nested: NestedTarget | null,
  asynchronousCommit: boolean,
): Statement {
  const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const text = `WITH previous AS (
  SELECT api_version FROM ${target} WHERE account = $1 AND id = $2
), written AS (
  INSERT INTO ${target} AS stored
    (account, id, data, livemode, deleted, last_event_id, last_event_created, last_event_type, api_version)
  VALUES ($1, $2, $3::jsonb, $4, $5, $6, to_timestamp($7), $9, $8)
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
  RETURNING 1
)${nested ? nestedWrites(schema, nested) : ""}
SELECT (SELECT api_version FROM previous) AS previous_api_version, EXISTS (SELECT 1 FROM written) AS applied${
    nested ? ", (SELECT removed FROM items_removed) AS items_removed" : ""
  }${asynchronousCommit ? ", set_config('synchronous_commit', 'off', true) AS synchronous_commit" : ""}`;
  return { text, name: `mirror_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` };
}

function nestedWrites(schema: string, { table, parentColumn }: NestedTarget): string {
  const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const parent = quoteIdent(parentColumn);
  return `, items AS (
  SELECT value AS item FROM jsonb_array_elements($10::jsonb) WHERE EXISTS (SELECT 1 FROM written)
), items_written AS (
  INSERT INTO ${target} AS stored
    (account, ${parent}, id, data, livemode, last_event_id, last_event_created, last_event_type, api_version)
  SELECT $1, $2, item->>'id', item, $4, $6, to_timestamp($7), $9, $8 FROM items
  ON CONFLICT (account, ${parent}, id) DO UPDATE SET
    data = excluded.data,
    livemode = excluded.livemode,
    updated_at = now(),
    last_event_id = excluded.last_event_id,
    last_event_created = excluded.last_event_created,
    last_event_type = excluded.last_event_type,
    api_version = excluded.api_version
), items_removed AS (
  SELECT ${quoteIdent(schema)}.${quoteIdent(`prune_${table}`)}($1, $2, ARRAY(SELECT item->>'id' FROM items)) AS removed
  WHERE $11::boolean AND EXISTS (SELECT 1 FROM written)
)`;
}
