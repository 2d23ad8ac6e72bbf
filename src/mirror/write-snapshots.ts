import { groupBy, sortedByKey } from "../collections.js";
import { jsonbText } from "../store/pg-values.js";
import type { Queryable } from "../store/store.js";
import type { ObjectSnapshot } from "./snapshot.js";
import type { Statement, UpsertInput, UpsertResult } from "./statements.js";

/** What became of one snapshot. */
export interface SnapshotWritten {
  snapshot: ObjectSnapshot;
  /** The api_version stored before (null for a new row, or a snapshot a newer one in the same call replaced). */
  previousApiVersion: string | null;
  applied: boolean;
}

/** The guard's order of two live snapshots of one object: (created, `*.created` first, event id), as in SQL. */
function isNewer(a: ObjectSnapshot, b: ObjectSnapshot): boolean {
  if (a.eventCreated !== b.eventCreated) return a.eventCreated > b.eventCreated;
  const rank = (snapshot: ObjectSnapshot) => (snapshot.eventType.endsWith(".created") ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) > rank(b);
  return a.eventId > b.eventId;
}

const keyOf = (snapshot: ObjectSnapshot) => `${snapshot.table}\n${snapshot.account}\n${snapshot.id}`;

/**
 * Splits snapshots into rounds in which each object appears at most once (a statement cannot write a row twice):
 * first each object's newest live snapshot (or its newest delete, when it has no live one), then the newest delete
 * of the objects that have both. Every row the second round touches is already locked by the first, so the rows a
 * call locks are taken in one sorted pass. Older snapshots of an object are left out, as the guard would reject
 * them after the newest anyway; this is the order "newest update, then delete", one of the orders in which the
 * events could have arrived.
 */
function rounds(snapshots: readonly ObjectSnapshot[]): { rounds: ObjectSnapshot[][]; superseded: ObjectSnapshot[] } {
  const live = new Map<string, ObjectSnapshot>();
  const deletes = new Map<string, ObjectSnapshot>();
  const superseded: ObjectSnapshot[] = [];
  for (const snapshot of snapshots) {
    const newest = snapshot.deleted ? deletes : live;
    const key = keyOf(snapshot);
    const other = newest.get(key);
    if (other && !isNewer(snapshot, other)) {
      superseded.push(snapshot);
      continue;
    }
    if (other) superseded.push(other);
    newest.set(key, snapshot);
  }
  const first = [...live.values()];
  const second: ObjectSnapshot[] = [];
  for (const [key, snapshot] of deletes) (live.has(key) ? second : first).push(snapshot);
  return { rounds: [first, second].filter((round) => round.length > 0), superseded };
}

/**
 * Writes snapshots under the ordering guard in as few statements as it can: one per table and round, the first
 * round's objects sorted by (table, account, id), so that concurrent writers lock rows in the same order (a row
 * the guard rejects is locked too: ON CONFLICT DO UPDATE locks it to judge). `statementFor`
 * gives the (cached) statement of a table.
 */
export async function writeSnapshots(
  tx: Queryable,
  snapshots: readonly ObjectSnapshot[],
  statementFor: (table: string) => Statement,
): Promise<SnapshotWritten[]> {
  const { rounds: ordered, superseded } = rounds(snapshots);
  const written: SnapshotWritten[] = superseded.map((snapshot) => ({
    snapshot,
    previousApiVersion: null,
    applied: false,
  }));
  for (const round of ordered) {
    // Sorted by (table, account, id), so grouping by table keeps each group in lock order.
    for (const [table, group] of groupBy(sortedByKey(round, keyOf), (snapshot) => snapshot.table)) {
      const statement = statementFor(table);
      const results = await tx.query<UpsertResult>(statement.text, [jsonbText(group.map(inputOf))], {
        prepareAs: statement.name,
      });
      const byKey = new Map(results.map((row) => [`${row.account}\n${row.id}`, row]));
      for (const snapshot of group) {
        const row = byKey.get(`${snapshot.account}\n${snapshot.id}`);
        written.push({
          snapshot,
          previousApiVersion: row?.previous_api_version ?? null,
          applied: row?.applied === true,
        });
      }
    }
  }
  return written;
}

function inputOf(snapshot: ObjectSnapshot): UpsertInput {
  const input: UpsertInput = {
    account: snapshot.account,
    id: snapshot.id,
    data: snapshot.object,
    livemode: snapshot.livemode,
    deleted: snapshot.deleted,
    event_id: snapshot.eventId,
    event_created: snapshot.eventCreated,
    api_version: snapshot.apiVersion,
    event_type: snapshot.eventType,
  };
  // Absent for a snapshot without its list: no items written, none removed.
  if (snapshot.nested) {
    input.items = snapshot.nested.items;
    input.complete = snapshot.nested.complete;
  }
  return input;
}
