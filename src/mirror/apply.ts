import type { Logger } from "pino";
import type { Queryable } from "../store/store.js";
import { ObjectTables } from "./object-tables.js";
import { type ObjectSnapshot, snapshotOf } from "./snapshot.js";
import { type Statement, upsertObject } from "./statements.js";

export type ApplyOutcome =
  /** The row now holds this event's snapshot. */
  | "applied"
  /** The row holds a newer snapshot, or a tombstone: nothing changed. */
  | "stale"
  /** The event carries no Stripe object (thin events, `balance`, an upcoming invoice). */
  | "skipped";

export interface Mirror {
  readonly schema: string;
  /** Applies one event's object in the caller's transaction: exactly once when that transaction is a run's. */
  apply(tx: Queryable, event: unknown, log?: Logger): Promise<ApplyOutcome>;
}

export interface MirrorOptions {
  /**
   * Lets the transaction that applies an event commit without waiting for its WAL to reach the disk
   * (`synchronous_commit = off` for that transaction only): one fsync fewer per run. A crash of the database server
   * may then lose the last fraction of a second of committed writes, each transaction whole (for a run: the row
   * and the run's success, so the run runs again); never half of one. Off by default: it applies to everything
   * the caller's transaction writes.
   */
  asynchronousCommit?: boolean;
}

export function createMirror(schema: string, options: MirrorOptions = {}): Mirror {
  const asynchronousCommit = options.asynchronousCommit === true;
  const tables = new ObjectTables(schema);
  const statements = new Map<string, Statement>();
  const cached = (key: string, make: () => Statement) => {
    const found = statements.get(key) ?? make();
    statements.set(key, found);
    return found;
  };

  const write = async (tx: Queryable, snapshot: ObjectSnapshot, log: Logger | undefined): Promise<ApplyOutcome> => {
    const list = snapshot.nested;
    const upsert = cached(list ? `${snapshot.table}+${list.table}` : snapshot.table, () =>
      upsertObject(schema, snapshot.table, list, asynchronousCommit),
    );
    const params: unknown[] = [
      snapshot.account,
      snapshot.id,
      JSON.stringify(snapshot.object),
      snapshot.livemode,
      snapshot.deleted,
      snapshot.eventId,
      snapshot.eventCreated,
      snapshot.apiVersion,
      snapshot.eventType,
    ];
    if (list) params.push(JSON.stringify(list.items), list.complete);
    const [result] = await tx.query<{ previous_api_version: string | null; applied: boolean }>(upsert.text, params, {
      prepareAs: upsert.name,
    });
    const previous = result?.previous_api_version ?? null;
    if (previous !== null && snapshot.apiVersion !== null && previous !== snapshot.apiVersion) {
      // The raw object is kept either way; typed columns may read fields the other version names differently.
      log?.warn(
        { object: snapshot.id, table: snapshot.table, stored: previous, event: snapshot.apiVersion },
        "mirror: event's api_version differs from the one stored for this object",
      );
    }
    return result?.applied ? "applied" : "stale";
  };

  return {
    schema,
    async apply(tx, event, log) {
      const snapshot = snapshotOf(event);
      if (!snapshot) return "skipped";
      await tables.ensure(tx, snapshot.table);
      // One object per run, one statement. Its row is the lock: INSERT ... ON CONFLICT waits for a concurrent
      // writer of the same row and then judges the guard against the latest committed version; a nested list's
      // stale rows are deleted after that wait, under a snapshot of their own (see upsertObject).
      return write(tx, snapshot, log);
    },
  };
}
