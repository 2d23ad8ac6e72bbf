import type { Logger } from "pino";
import type { Queryable } from "../store/store.js";
import type { BatchWriter } from "../worker/deferred-writes.js";
import type { HandlerContext } from "../worker/registry.js";
import { ObjectTables } from "./object-tables.js";
import { nestedTargetOf, type ObjectSnapshot, snapshotOf } from "./snapshot.js";
import { type Statement, upsertObjects } from "./statements.js";
import { type SnapshotWritten, writeSnapshots } from "./write-snapshots.js";

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
  /**
   * Applies one event's object with a handler's run: queued with `ctx.defer` (committed with the run's success, in
   * one statement per table with other runs' objects) once its table is known to exist, otherwise at once through
   * `ctx.tx`, which creates the table (see MirrorOptions.store).
   */
  applyInRun(ctx: Pick<HandlerContext, "tx" | "defer" | "log">, event: unknown): Promise<ApplyOutcome | "deferred">;
}

interface QueuedSnapshot {
  snapshot: ObjectSnapshot;
  log: Logger;
}

export interface MirrorOptions {
  /**
   * The store outside any run's transaction: `applyInRun` asks it whether an object's table exists, so that runs
   * of a type seen for the first time in this process need no transaction of their own when it does.
   */
  store?: () => Promise<Queryable>;
}

export function createMirror(schema: string, options: MirrorOptions = {}): Mirror {
  const tables = new ObjectTables(schema);
  const statements = new Map<string, Statement>();
  const statementFor = (table: string) => {
    const found = statements.get(table) ?? upsertObjects(schema, table, nestedTargetOf(table));
    statements.set(table, found);
    return found;
  };

  /** Warns when an object's stored api_version differs from its event's. */
  const warnOnVersionChange = ({ snapshot, previousApiVersion }: SnapshotWritten, log: Logger | undefined) => {
    if (previousApiVersion === null || snapshot.apiVersion === null || previousApiVersion === snapshot.apiVersion)
      return;
    // The raw object is kept either way; typed columns may read fields the other version names differently.
    log?.warn(
      { object: snapshot.id, table: snapshot.table, stored: previousApiVersion, event: snapshot.apiVersion },
      "mirror: event's api_version differs from the one stored for this object",
    );
  };

  // Each object's row is its lock: INSERT ... ON CONFLICT waits for a concurrent writer of the same row and then
  // judges the guard against the latest committed version; a nested list's stale rows are deleted after that wait,
  // under a snapshot of their own (see upsertObjects).
  const writer: BatchWriter<QueuedSnapshot> = {
    name: `stripe-inbox.mirror.${schema}`,
    async write(tx, queued) {
      const logs = new Map(queued.map(({ snapshot, log }) => [snapshot, log]));
      const written = await writeSnapshots(
        tx,
        queued.map(({ snapshot }) => snapshot),
        statementFor,
      );
      return () => {
        for (const result of written) warnOnVersionChange(result, logs.get(result.snapshot));
      };
    },
  };

  const applyNow = async (tx: Queryable, snapshot: ObjectSnapshot, log: Logger | undefined) => {
    await tables.ensure(tx, snapshot.table);
    const [written] = await writeSnapshots(tx, [snapshot], statementFor);
    if (written) warnOnVersionChange(written, log);
    return written?.applied ? "applied" : "stale";
  };

  return {
    schema,
    async apply(tx, event, log) {
      const snapshot = snapshotOf(event);
      return snapshot ? applyNow(tx, snapshot, log) : "skipped";
    },
    async applyInRun(ctx, event) {
      const snapshot = snapshotOf(event);
      if (!snapshot) return "skipped";
      const known =
        tables.isKnown(snapshot.table) ||
        (options.store !== undefined && (await tables.exists(await options.store(), snapshot.table)));
      if (!known) return applyNow(ctx.tx, snapshot, ctx.log);
      ctx.defer(writer, { snapshot, log: ctx.log });
      return "deferred";
    },
  };
}
