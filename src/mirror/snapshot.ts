import { tableForObject } from "./table-names.js";

/** What one event says about one Stripe object, ready to be written to the mirror. */
export interface ObjectSnapshot {
  table: string;
  /** The Connect account the event came from; '' for the platform's own objects. */
  account: string;
  id: string;
  object: Record<string, unknown>;
  eventId: string;
  eventType: string;
  /** Stripe's `created` of the event, unix seconds. */
  eventCreated: number;
  livemode: boolean;
  apiVersion: string | null;
  /** A `*.deleted` event: the row becomes a tombstone. */
  deleted: boolean;
  /** The object's nested list, when its type has one and the snapshot carries it (at most one per type). */
  nested: NestedList | null;
}

/** A list inside the object whose items get rows of their own, replaced with the parent. */
export interface NestedList {
  table: string;
  /** The column holding the parent's id. */
  parentColumn: string;
  items: Array<Record<string, unknown>>;
  /** False when Stripe cut the list (`has_more`): rows missing from it may still exist, so none are removed. */
  complete: boolean;
}

const NESTED_LISTS: Record<string, { field: string; table: string; parentColumn: string }> = {
  subscription: { field: "items", table: "subscription_items", parentColumn: "subscription" },
  invoice: { field: "lines", table: "invoice_line_items", parentColumn: "invoice" },
  credit_note: { field: "lines", table: "credit_note_line_items", parentColumn: "credit_note" },
};

/** Tables whose rows belong to a parent; an object of theirs arriving on its own is not mirrored. */
export const NESTED_TABLES = new Set(Object.values(NESTED_LISTS).map((list) => list.table));

const NESTED_BY_PARENT_TABLE = new Map(
  Object.entries(NESTED_LISTS).map(([object, list]) => [
    tableForObject(object),
    { table: list.table, parentColumn: list.parentColumn },
  ]),
);

/** Where a table's nested list goes, for the tables whose objects carry one. */
export function nestedTargetOf(table: string): { table: string; parentColumn: string } | null {
  return NESTED_BY_PARENT_TABLE.get(table) ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The snapshot in a Stripe event, or null when the event carries none: thin (v2) events, objects without an id
 * (`balance`), an upcoming invoice (a preview of one not yet created, whatever id it shows), object names that are
 * not Stripe's.
 */
export function snapshotOf(event: unknown): ObjectSnapshot | null {
  if (!isRecord(event) || event.object !== "event" || typeof event.id !== "string") return null;
  if (typeof event.created !== "number" || typeof event.type !== "string") return null;
  if (event.type === "invoice.upcoming") return null;
  const object = isRecord(event.data) ? event.data.object : undefined;
  if (!isRecord(object) || typeof object.object !== "string" || typeof object.id !== "string" || object.id === "")
    return null;
  const table = tableForObject(object.object);
  if (table === null || NESTED_TABLES.has(table)) return null;
  const nestedList = NESTED_LISTS[object.object];
  const list = nestedList ? object[nestedList.field] : undefined;
  const nested: NestedList | null =
    nestedList && isRecord(list) && Array.isArray(list.data)
      ? {
          table: nestedList.table,
          parentColumn: nestedList.parentColumn,
          items: list.data.filter(
            (item): item is Record<string, unknown> => isRecord(item) && typeof item.id === "string",
          ),
          complete: list.has_more !== true,
        }
      : null;
  return {
    table,
    account: typeof event.account === "string" ? event.account : "",
    id: object.id,
    object,
    eventId: event.id,
    eventType: event.type,
    eventCreated: event.created,
    livemode: typeof event.livemode === "boolean" ? event.livemode : object.livemode === true,
    apiVersion: typeof event.api_version === "string" ? event.api_version : null,
    deleted: event.type.endsWith(".deleted"),
    nested,
  };
}
