import { InboxError } from "../errors.js";
import { type EventSummary, statusOf } from "../inbox/event-queries.js";
import { quoteIdent } from "../store/migrate.js";
import { isPostgresText, parseIsoTimestamp } from "../store/pg-values.js";
import type { Store } from "../store/store.js";

/** Event ids are far shorter; a cursor naming a longer one was not made here. */
const MAX_CURSOR_ID = 255;

export const EVENT_STATUSES = ["pending", "succeeded", "failed", "dead", "no_handler"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface EventSearch {
  /** An exact type or a wildcard: `invoice.*`, `*`. */
  type?: string | undefined;
  status?: EventStatus | undefined;
  /** Bounds on Stripe's `created`, as replay uses them, so a filter lists exactly what it would replay. */
  since?: Date | undefined;
  until?: Date | undefined;
  objectId?: string | undefined;
  account?: string | undefined;
  livemode?: boolean | undefined;
  /** An event id or an object id. */
  query?: string | undefined;
  limit: number;
  /** From the previous page's `next_cursor`. */
  cursor?: string | undefined;
}

export interface EventPage {
  data: EventSummary[];
  /** Null on the last page. */
  next_cursor: string | null;
}

/**
 * Newest received first, in pages keyed on (received_at, id): an event stored while someone pages is either above
 * the first page or, received earlier but committed later, further down; no event is shown twice or skipped.
 */
export async function searchEvents(store: Store, search: EventSearch): Promise<EventPage> {
  const schema = quoteIdent(store.schema);
  const after = search.cursor === undefined ? null : decodeCursor(search.cursor);
  const rows = await store.query<EventSummary>(
    `SELECT e.id, e.type, to_json(e.created)#>>'{}' AS created, ${statusOf(schema)} AS status, e.account, e.livemode,
            e.data_object_id AS object_id, to_json(e.received_at)#>>'{}' AS received_at
       FROM ${schema}.events e
      WHERE ($1::text IS NULL OR e.type LIKE $1 ESCAPE '\\')
        AND ($2::timestamptz IS NULL OR e.created >= $2) AND ($3::timestamptz IS NULL OR e.created < $3)
        AND ($4::text IS NULL OR e.data_object_id = $4)
        AND ($5::text IS NULL OR e.account = $5)
        AND ($6::boolean IS NULL OR e.livemode = $6)
        AND ($7::text IS NULL OR e.id = $7 OR e.data_object_id = $7)
        AND ($8::timestamptz IS NULL OR (e.received_at, e.id) < ($8::timestamptz, $9::text))
        AND ($10::text IS NULL OR ${statusOf(schema)} = $10)
        -- Implied by the line above for the dead-letter view, but planned from handler_runs_dead_idx: only the
        -- events with a dead run are read, not every event newest first until a page of dead ones is found.
        AND ($10::text IS DISTINCT FROM 'dead' OR e.id IN (
          SELECT r.event_id FROM ${schema}.handler_runs r WHERE r.status = 'dead'))
      ORDER BY e.received_at DESC, e.id DESC
      LIMIT $11`,
    [
      search.type ? typeToLike(search.type) : null,
      search.since?.toISOString() ?? null,
      search.until?.toISOString() ?? null,
      search.objectId ?? null,
      search.account ?? null,
      search.livemode ?? null,
      search.query ?? null,
      after?.receivedAt ?? null,
      after?.id ?? null,
      search.status ?? null,
      search.limit + 1,
    ],
  );
  const data = rows.slice(0, search.limit);
  const last = data.at(-1);
  return { data, next_cursor: rows.length > search.limit && last ? encodeCursor(last) : null };
}

function encodeCursor(event: EventSummary): string {
  return Buffer.from(JSON.stringify([event.received_at, event.id])).toString("base64url");
}

/**
 * The time is passed to Postgres as the text it wrote (to the microsecond, which a Date would round away), so it
 * must be a time Postgres reads: `Date.parse` alone takes `10000` and `2026-02-30`.
 */
function decodeCursor(cursor: string): { receivedAt: string; id: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const [receivedAt, id] = Array.isArray(decoded) && decoded.length === 2 ? decoded : [];
    if (
      typeof receivedAt === "string" &&
      parseIsoTimestamp(receivedAt) !== null &&
      typeof id === "string" &&
      isPostgresText(id) &&
      id.length <= MAX_CURSOR_ID
    ) {
      return { receivedAt, id };
    }
  } catch {
    // answered below
  }
  throw new InboxError("cursor_invalid", 400, "The cursor is not one this API gave out; start again without it.");
}

/** `invoice.*` -> `invoice.%`, with LIKE's own wildcards in type names (`payment_intent`) escaped. */
function typeToLike(type: string): string {
  const escaped = type.replace(/[\\%_]/g, (char) => `\\${char}`);
  return escaped === "*" ? "%" : escaped.endsWith(".*") ? `${escaped.slice(0, -1)}%` : escaped;
}
