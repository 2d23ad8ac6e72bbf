import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";

export interface EventSummary {
  id: string;
  type: string;
  created: string;
  status: string;
  account: string | null;
  livemode: boolean;
  object_id: string | null;
  received_at: string;
}

export interface DeliveryRow {
  id: string;
  received_at: string;
  outcome: string;
  error_code: string | null;
  body_bytes: number;
}

export interface RunRow {
  handler: string;
  status: string;
  /** Every attempt, across replays. */
  attempts: number;
  /** The attempts allowed since the last replay (or since the run was made). */
  max_attempts: number;
  /** `attempts` when the run was last replayed: the attempts since then are `attempts - attempts_before_replay`. */
  attempts_before_replay: number;
  replays: number;
  replayed_at: string | null;
  run_at: string;
  last_error: string | null;
  last_error_stack: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * An event's status: `pending` until fanned out, `no_handler`, or for dispatched events the state of its runs:
 * `dead` if any run is dead, else `failed` if any waits for a retry, else `succeeded` when all did, else `pending`.
 * Every listing (`events show`, the dashboard's search, `events list`) uses it, so a status reads the same everywhere.
 */
export const statusOf = (schema: string) => `CASE WHEN e.status <> 'dispatched' THEN e.status ELSE (
  SELECT CASE WHEN bool_or(r.status = 'dead') THEN 'dead' WHEN bool_or(r.status = 'failed') THEN 'failed'
              WHEN bool_and(r.status = 'succeeded') THEN 'succeeded' ELSE 'pending' END
    FROM ${schema}.handler_runs r WHERE r.event_id = e.id) END`;

export async function showEvent(
  store: Store,
  id: string,
): Promise<(EventSummary & { payload: unknown; deliveries: DeliveryRow[]; runs: RunRow[] }) | null> {
  const schema = quoteIdent(store.schema);
  const [event] = await store.query<EventSummary & { payload: string }>(
    `SELECT id, type, to_json(created)#>>'{}' AS created, ${statusOf(schema)} AS status, account, livemode,
            data_object_id AS object_id, to_json(received_at)#>>'{}' AS received_at, payload::text AS payload
       FROM ${schema}.events e WHERE id = $1`,
    [id],
  );
  if (!event) return null;
  const deliveries = await store.query<DeliveryRow>(
    `SELECT id::text, to_json(received_at)#>>'{}' AS received_at, outcome, error_code, body_bytes
       FROM ${schema}.deliveries WHERE event_id = $1 ORDER BY id`,
    [id],
  );
  const runs = await store.query<RunRow>(
    `SELECT handler, status, attempts, max_attempts, attempts_before_replay, replays,
            to_json(replayed_at)#>>'{}' AS replayed_at, to_json(run_at)#>>'{}' AS run_at, last_error, last_error_stack,
            to_json(started_at)#>>'{}' AS started_at, to_json(finished_at)#>>'{}' AS finished_at
       FROM ${schema}.handler_runs WHERE event_id = $1 ORDER BY handler`,
    [id],
  );
  return { ...event, payload: JSON.parse(event.payload), deliveries, runs };
}
