import { quoteIdent } from "../store/migrate.js";
import { listPartitions, type Partition } from "../store/partitions.js";
import type { Queryable, Store } from "../store/store.js";
import { LOCK_NOT_AVAILABLE, sqlstateOf } from "../store/unavailable.js";
import { waitForInsertsInFlight } from "./inserts-in-flight.js";

const UNDEFINED_TABLE = "42P01";
const LOCK_ATTEMPTS = 3;
const LOCK_RETRY_MS = 1_000;

export interface DroppedMonths {
  /** The partitions dropped, by name. */
  partitions: string[];
  /** Their size on disk, indexes and TOAST included: returned to the file system, not only freed for reuse. */
  bytes: number;
  events: number;
  runs: number;
  deliveries: number;
}

/**
 * Drops the month partitions (migration 0012) whose every row retention allows to remove: a month of events and
 * their runs (a run lives in its event's month) when none is pending, no run is unfinished, and every event was
 * received before the cut; a month of deliveries when each of its attempts has no event kept. What is not dropped is
 * left to prune's batched deletes. The ids of the dropped events are kept first, as prune keeps those it deletes.
 *
 * Only months that ended before the cut are considered, and the default partition never. The drop takes the three
 * tables' locks for a moment (a few index lookups); it does not wait longer than lock_timeout behind a transaction in
 * progress (a handler's run, a delivery being committed), and tries again a little later, then leaves the month to
 * the batched deletes.
 */
export async function dropEligibleMonths(
  store: Store,
  options: { before: Date; now: Date; keepUntil: Date; signal?: AbortSignal | undefined },
): Promise<DroppedMonths> {
  const result: DroppedMonths = { partitions: [], bytes: 0, events: 0, runs: 0, deliveries: 0 };
  const partitions = await listPartitions(store, store.schema);
  const ended = (p: Partition) => p.to !== null && p.to.getTime() <= options.before.getTime();
  const months = [...new Set(partitions.filter(ended).map((p) => p.name.slice(p.table.length)))].sort();
  for (const suffix of months) {
    if (options.signal?.aborted) break;
    const named = (table: Partition["table"]) =>
      partitions.find((p) => p.table === table && p.name === `${table}${suffix}` && ended(p)) ?? null;
    const dropped = await dropMonth(store, options, named("events"), named("handler_runs"), named("deliveries")).catch(
      (error: unknown) => {
        // Another prune (another process, the CLI beside `serve`) dropped the month first.
        if (sqlstateOf(error) === UNDEFINED_TABLE) return null;
        throw error;
      },
    );
    if (!dropped) continue;
    result.partitions.push(...dropped.partitions);
    result.bytes += dropped.bytes;
    result.events += dropped.events;
    result.runs += dropped.runs;
    result.deliveries += dropped.deliveries;
  }
  return result;
}

async function dropMonth(
  store: Store,
  options: { before: Date; now: Date; keepUntil: Date },
  events: Partition | null,
  runs: Partition | null,
  deliveries: Partition | null,
): Promise<DroppedMonths | null> {
  const schema = quoteIdent(store.schema);
  const at = (p: Partition) => `${schema}.${quoteIdent(p.name)}`;
  const cut = options.before.toISOString();
  // A first look, on indexes and outside any transaction: most months are not removable yet.
  const eventMonth =
    events && runs && (await monthIsRemovable(store, at(events), at(runs), cut)) ? { events, runs } : null;
  if (!eventMonth && !deliveries) return null;
  for (let attempt = 1; ; attempt++) {
    try {
      // Every event is stored with a delivery row numbered from one sequence (no cache: numbers are handed out in
      // order), in the same statement. Read before the inserts in flight are waited for, the sequence's last number
      // divides the deliveries: those numbered up to it have committed, or rolled back, before the marking below
      // began; any later one is found by its number.
      const [mark] = await store.query<{ last_id: string }>(
        `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS last_id
           FROM ${schema}.deliveries_id_seq`,
      );
      await waitForInsertsInFlight(store);
      const month: Month = { ...options, schema, at, cut, eventMonth, deliveries, lastId: mark?.last_id ?? "0" };
      return await store.transaction((tx) => markAndDrop(tx, month));
    } catch (error) {
      if (error instanceof KeptWhole) return null;
      if (sqlstateOf(error) !== LOCK_NOT_AVAILABLE) throw error;
      if (attempt >= LOCK_ATTEMPTS) return null;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
}

interface Month {
  schema: string;
  at: (p: Partition) => string;
  cut: string;
  now: Date;
  keepUntil: Date;
  eventMonth: { events: Partition; runs: Partition } | null;
  deliveries: Partition | null;
  /** The last delivery number drawn before the marking (see dropMonth). */
  lastId: string;
}

/** Thrown to roll the marks back when nothing of the month is dropped after all. */
class KeptWhole extends Error {}

/**
 * In one transaction: the month's event ids kept as pruned, its deliveries judged, then, under the three tables'
 * locks, the judgements again and the drop. A redelivery before the commit finds its event in the month; after it,
 * finds the id kept. Under the locks, a delivery numbered after the marking began that stored an event of the month
 * (a first delivery of an old event, a clock set back) or that belongs to the month of deliveries keeps that month:
 * it was not marked or judged.
 */
async function markAndDrop(tx: Queryable, month: Month): Promise<DroppedMonths> {
  const { schema, at, cut, eventMonth, deliveries, lastId } = month;
  // The reads and the marking go through a whole month: a large one takes longer than an ordinary statement.
  const counted = { events: 0, runs: 0, bytes: 0 };
  if (eventMonth) {
    const [row] = await tx.query<{ events: number; runs: number; bytes: string }>(
      `WITH marked AS (
         INSERT INTO ${schema}.pruned_event_ids (id, pruned_at, keep_until)
         SELECT id, $1, $2 FROM ${at(eventMonth.events)}
         ON CONFLICT (id) DO UPDATE SET keep_until = greatest(${schema}.pruned_event_ids.keep_until, excluded.keep_until)
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM marked)::int AS events,
              (SELECT count(*) FROM ${at(eventMonth.runs)})::int AS runs,
              (pg_total_relation_size($3::regclass) + pg_total_relation_size($4::regclass))::bigint AS bytes`,
      [month.now.toISOString(), month.keepUntil.toISOString(), at(eventMonth.events), at(eventMonth.runs)],
      { longRunning: true },
    );
    counted.events = Number(row?.events ?? 0);
    counted.runs = Number(row?.runs ?? 0);
    counted.bytes = Number(row?.bytes ?? 0);
  }
  // Attempts whose event is kept stay; the events of this month count as gone when they go in the same transaction.
  const [attempts] = deliveries
    ? await tx.query<{ removable: boolean; rows: number; bytes: string }>(
        `SELECT NOT EXISTS (
                  SELECT 1 FROM ${at(deliveries)} d
                   WHERE coalesce(d.last_received_at, d.received_at) >= $1
                      OR EXISTS (SELECT 1 FROM ${schema}.events e
                                  WHERE e.id = d.event_id AND ($2::regclass IS NULL OR e.tableoid <> $2::regclass))
                ) AS removable,
                (SELECT count(*) FROM ${at(deliveries)})::int AS rows,
                pg_total_relation_size($3::regclass)::bigint AS bytes`,
        [cut, eventMonth ? at(eventMonth.events) : null, at(deliveries)],
        { longRunning: true },
      )
    : [];
  const deliveryMonth = deliveries && attempts?.removable ? deliveries : null;
  if (!eventMonth && !deliveryMonth) throw new KeptWhole();

  await tx.exec(
    `SET LOCAL lock_timeout = '200ms';
     LOCK TABLE ${schema}.events, ${schema}.handler_runs, ${schema}.deliveries IN ACCESS EXCLUSIVE MODE;`,
  );
  // Under the locks, on indexes only: the deliveries numbered since the marking began, and the claim indexes.
  const arrivedSince = async (sql: string) =>
    (await tx.query<{ arrived: boolean }>(`SELECT EXISTS (${sql}) AS arrived`, [lastId]))[0]?.arrived !== false;
  const stillEvents =
    eventMonth !== null &&
    !(await arrivedSince(
      `SELECT 1 FROM ${schema}.deliveries d
        WHERE d.id > $1::bigint AND d.outcome = 'stored'
          AND EXISTS (SELECT 1 FROM ${at(eventMonth.events)} e WHERE e.id = d.event_id)`,
    )) &&
    (await monthIsRemovable(tx, at(eventMonth.events), at(eventMonth.runs), cut));
  const stillDeliveries =
    deliveryMonth !== null && !(await arrivedSince(`SELECT 1 FROM ${at(deliveryMonth)} d WHERE d.id > $1::bigint`));
  const drop = [
    ...(stillEvents && eventMonth ? [eventMonth.events, eventMonth.runs] : []),
    // Without their events, the month's attempts would point at events still there.
    ...(stillDeliveries && deliveryMonth && (stillEvents || !eventMonth) ? [deliveryMonth] : []),
  ];
  // Nothing dropped: the marks are rolled back; the batched deletes mark what they remove.
  if (drop.length === 0) throw new KeptWhole();
  await tx.exec(`DROP TABLE ${drop.map(at).join(", ")}`);
  const droppedDeliveries = drop.includes(deliveryMonth as Partition);
  return {
    partitions: drop.map((p) => p.name),
    bytes: counted.bytes + (droppedDeliveries ? Number(attempts?.bytes ?? 0) : 0),
    events: counted.events,
    runs: counted.runs,
    deliveries: droppedDeliveries ? Number(attempts?.rows ?? 0) : 0,
  };
}

/**
 * Every event of the month removable under retention's rule (see eligibility.ts), read from partial indexes only: no
 * event waits to be fanned out (events_pending_idx), none was received after the cut (events_received_at_idx), and no
 * run is pending, failed, running or dead (the claim, lease and dead-letter indexes).
 */
async function monthIsRemovable(db: Pick<Store, "query">, events: string, runs: string, cut: string): Promise<boolean> {
  const [row] = await db.query<{ removable: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM ${events} WHERE status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM ${events} WHERE received_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM ${runs} WHERE status IN ('pending', 'failed'))
        AND NOT EXISTS (SELECT 1 FROM ${runs} WHERE status = 'running')
        AND NOT EXISTS (SELECT 1 FROM ${runs} WHERE status = 'dead') AS removable`,
    [cut],
  );
  return row?.removable === true;
}
