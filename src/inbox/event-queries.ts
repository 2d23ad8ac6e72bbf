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

export interface ListEventsOptions {
  limit: number;
  type?: string | undefined;
}

/** Newest first. */
export async function listEvents(store: Store, { limit, type }: ListEventsOptions): Promise<EventSummary[]> {
  const schema = quoteIdent(store.schema);
  return store.query<EventSummary>(
    `SELECT id, type, to_json(created)#>>'{}' AS created, status, account, livemode,
            data_object_id AS object_id, to_json(received_at)#>>'{}' AS received_at
       FROM ${schema}.events
      WHERE $2::text IS NULL OR type = $2
      ORDER BY received_at DESC, id DESC
      LIMIT $1`,
    [limit, type ?? null],
  );
}

export async function showEvent(
  store: Store,
  id: string,
): Promise<(EventSummary & { payload: unknown; deliveries: DeliveryRow[] }) | null> {
  const schema = quoteIdent(store.schema);
  const [event] = await store.query<EventSummary & { payload: string }>(
    `SELECT id, type, to_json(created)#>>'{}' AS created, status, account, livemode,
            data_object_id AS object_id, to_json(received_at)#>>'{}' AS received_at, payload::text AS payload
       FROM ${schema}.events WHERE id = $1`,
    [id],
  );
  if (!event) return null;
  const deliveries = await store.query<DeliveryRow>(
    `SELECT id::text, to_json(received_at)#>>'{}' AS received_at, outcome, error_code, body_bytes
       FROM ${schema}.deliveries WHERE event_id = $1 ORDER BY id`,
    [id],
  );
  return { ...event, payload: JSON.parse(event.payload), deliveries };
}
