// The soak's own schema on the shared Postgres: created and migrated before serve starts, read while it runs (sizes as
// /api/stats reads them, exact row counts, the backlog as /metrics reads it), and dropped at the end.
import { randomBytes } from "node:crypto";
import { readQueueState } from "../../dist/metrics/queue-state.js";
import { readStorage } from "../../dist/retention/storage.js";
import { migrate, quoteIdent } from "../../dist/store/migrate.js";
import { openPostgresStore } from "../../dist/store/postgres.js";

const COUNTED_TABLES = ["events", "deliveries", "handler_runs", "pruned_event_ids"];
const MISSING_LISTED = 20;

export async function createSoakSchema(databaseUrl) {
  const schema = `bench_soak_${process.pid}_${randomBytes(4).toString("hex")}`;
  const store = openPostgresStore({ connectionString: databaseUrl, schema, poolSize: 2 });
  const s = quoteIdent(schema);
  const counterTable = `${s}.soak_handled`;
  await migrate(store);
  await store.query(`CREATE TABLE ${counterTable} (bucket text PRIMARY KEY, handled bigint NOT NULL)`);
  const [{ autovacuum }] = await store.query("SHOW autovacuum");

  return {
    schema,
    counterTable,
    autovacuum: autovacuum === "on",

    /** Bytes per table (with indexes and TOAST), exact rows of the inbox's tables, and the work still waiting. */
    async sample() {
      const { tables } = await readStorage(store, null);
      const [rows] = await store.query(
        `SELECT ${COUNTED_TABLES.map((name) => `(SELECT count(*) FROM ${s}.${name})::int AS ${name}`).join(", ")}`,
      );
      const queue = await readQueueState(store);
      return {
        bytes: Object.fromEntries(tables.map((table) => [table.name, table.bytes])),
        totalBytes: tables.reduce((sum, table) => sum + table.bytes, 0),
        rows,
        backlog: queue.eventsAwaitingFanOut + queue.runs.pending + queue.runs.running + queue.runs.failed,
        dead: queue.runs.dead,
      };
    },

    /** Plain VACUUM of every table: what autovacuum would do, so that the space prune frees is reused. */
    async vacuum() {
      const tables = await store.query(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      await store.query(`VACUUM ${tables.map(({ name }) => `${s}.${quoteIdent(name)}`).join(", ")}`);
    },

    /**
     * Where every acknowledged event is now: still stored (by status), or pruned (its id kept), or missing. And the
     * handler's committed writes against the runs that succeeded, pruned ones included (one handler: one run each).
     */
    async accountFor(ackedIds) {
      // handled: every run succeeded (what prune may take); waiting: not fanned out yet, or a run not finished.
      const located = `WITH located AS (
          SELECT a.id, CASE
              WHEN e.id IS NULL THEN CASE WHEN p.id IS NULL THEN 'missing' ELSE 'pruned' END
              WHEN EXISTS (SELECT 1 FROM ${s}.handler_runs r WHERE r.event_id = e.id AND r.status = 'dead') THEN 'dead'
              WHEN e.status IN ('dispatched', 'no_handler') AND NOT EXISTS (
                SELECT 1 FROM ${s}.handler_runs r WHERE r.event_id = e.id AND r.status <> 'succeeded') THEN 'handled'
              ELSE 'waiting' END AS place
            FROM unnest($1::text[]) AS a(id)
            LEFT JOIN ${s}.events e ON e.id = a.id LEFT JOIN ${s}.pruned_event_ids p ON p.id = a.id)`;
      const places = await store.query(`${located} SELECT place, count(*)::int AS n FROM located GROUP BY place`, [
        ackedIds,
      ]);
      const count = Object.fromEntries(places.map((row) => [row.place, row.n]));
      const missingIds = count.missing
        ? (
            await store.query(`${located} SELECT id FROM located WHERE place = 'missing' LIMIT ${MISSING_LISTED}`, [
              ackedIds,
            ])
          ).map((row) => row.id)
        : [];
      const [writes] = await store.query(
        `SELECT (SELECT coalesce(sum(handled), 0) FROM ${counterTable})::bigint AS handler_writes,
                (SELECT count(*) FROM ${s}.handler_runs WHERE status = 'succeeded')::int AS succeeded_present`,
      );
      return {
        places: count,
        missingIds,
        handlerWrites: Number(writes.handler_writes),
        runsSucceeded: (count.pruned ?? 0) + writes.succeeded_present,
      };
    },

    async drop() {
      await store.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await store.close();
    },
  };
}
