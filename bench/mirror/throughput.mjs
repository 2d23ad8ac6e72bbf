// One measured run: seed the events (held back), start `stripe-inbox worker` processes (with `--mirror`, or a
// no-op handler for the baseline), release the events in one statement and time until every run succeeded.
// bench/worker's Postgres throughput procedure itself (`timeHeldEvents`), so the two rows differ only by the handler.
import { fileURLToPath } from "node:url";
import { throughputFigures, timeHeldEvents } from "../worker/throughput.mjs";

const NOOP_HANDLERS = fileURLToPath(new URL("../worker/handlers.mjs", import.meta.url));
const SEED = fileURLToPath(new URL("./seed.mjs", import.meta.url));

/** `handler`: "mirror" or "noop". `db` makes and drops schemas named bench_mirror_*. */
export async function measure({ config, db, cleanups }, handler, workerCount) {
  const schema = db.newSchema();
  const mirrorSchema = `${schema}_stripe`;
  const drop = async () => {
    for (const name of [schema, mirrorSchema]) await db.dropSchema(name);
  };
  cleanups.push(drop);
  const timed = await timeHeldEvents(
    { config, db },
    {
      schema,
      seed: [SEED],
      seedEnv: { BENCH_INTERLEAVE: String(config.interleave) },
      workerName: `${handler} worker`,
      workerArgs: handler === "mirror" ? ["--mirror", mirrorSchema] : ["--handlers", NOOP_HANDLERS],
      workerCount,
    },
  );

  const [runs] = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'succeeded' AND attempts = 1)::int AS first_time, count(*)::int AS runs
       FROM ${schema}.handler_runs`,
  );
  const mirror = handler === "mirror" ? await checkMirror(db, schema, mirrorSchema, timed.seeded) : null;
  await cleanups.pop()();
  return {
    handler,
    ...throughputFigures(timed),
    peakRssMb: timed.peakRss,
    runs: runs.runs,
    succeededFirstTime: runs.first_time,
    mirror,
  };
}

/** Every object's row holds its newest event (by created, `*.created` first, then id): the figure only counts if the mirror is right. */
async function checkMirror(db, schema, mirrorSchema, seeded) {
  const tables = await db.query(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'deleted'",
    [mirrorSchema],
  );
  const mirrored = tables
    .map(({ table_name }) => `SELECT id, last_event_id FROM ${mirrorSchema}.${table_name}`)
    .join(" UNION ALL ");
  const [row] = await db.query(
    `WITH newest AS (
       SELECT DISTINCT ON (data_object_id) data_object_id, id FROM ${schema}.events
       ORDER BY data_object_id, created DESC, type NOT LIKE '%.created' DESC, id COLLATE "C" DESC)
     SELECT (SELECT count(*) FROM (${mirrored}) m)::int AS rows,
            count(m.id)::int AS holding_newest
       FROM newest LEFT JOIN (${mirrored}) m ON m.id = newest.data_object_id AND m.last_event_id = newest.id`,
  );
  return { objects: seeded.objects, rows: row.rows, holdingNewest: row.holding_newest };
}
