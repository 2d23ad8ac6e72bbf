import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { expect } from "vitest";
import { mirrorEvent } from "./support.js";

const T = 1_760_000_000;

export interface Change {
  /** Seconds after T: a small range, so same-second ties are frequent. */
  second: number;
  deletes: boolean;
  /** A `*.created` event: older than any other event of the same second about its object. */
  creates: boolean;
  status: string;
  items: Array<{ item: number; quantity: number }>;
  /** Stripe cut the nested list (`has_more`): rows it leaves out are kept, so it only adds and updates. */
  cut: boolean;
}

export interface ObjectHistory {
  kind: "customer" | "subscription" | "invoice";
  /** A Connect account's object ('' for the platform's). */
  account: string;
  /** Takes the previous history's object id when that one is of the same kind under another account. */
  sharesId: boolean;
  changes: Change[];
}

const change = fc.record({
  second: fc.integer({ min: 0, max: 3 }),
  deletes: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  creates: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  status: fc.constantFrom("active", "past_due", "canceled", "open", "paid"),
  items: fc.uniqueArray(fc.record({ item: fc.integer({ min: 0, max: 4 }), quantity: fc.integer({ min: 1, max: 9 }) }), {
    selector: (entry) => entry.item,
    maxLength: 4,
  }),
  cut: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
});
export const histories = fc.array(
  fc.record({
    kind: fc.constantFrom("customer" as const, "subscription" as const, "invoice" as const),
    account: fc.constantFrom("", "acct_1Connected"),
    sharesId: fc.boolean(),
    changes: fc.array(change, { minLength: 1, maxLength: 8 }),
  }),
  { minLength: 1, maxLength: 4 },
);

/** Each object's final state, by account and id. */
export type Expected = Map<string, { kind: ObjectHistory["kind"]; account: string; id: string; winner: Sent }>;

export interface Sent {
  id: string;
  created: number;
  deletes: boolean;
  creates: boolean;
  object: Record<string, unknown> & { id: string; object: string };
}

function objectFor(kind: ObjectHistory["kind"], id: string, step: Change, version: number): Sent["object"] {
  const nested = (prefix: string, object: string) => ({
    object: "list",
    has_more: step.cut,
    data: step.items.map(({ item, quantity }) => ({ id: `${prefix}_${id}_${item}`, object, quantity, version })),
  });
  if (kind === "customer")
    return { id, object: "customer", email: `v${version}@example.com`, metadata: { version: `${version}` } };
  if (kind === "subscription")
    return { id, object: "subscription", status: step.status, items: nested("si", "subscription_item") };
  return { id, object: "invoice", status: step.status, lines: nested("il", "line_item") };
}

/**
 * The final state the issue asks for: the newest event, by (created, `*.created` first, id in byte order); a
 * delete, once there is one, wins.
 */
function newest(sent: Sent[]): Sent {
  const candidates = sent.some((event) => event.deletes) ? sent.filter((event) => event.deletes) : sent;
  const key = (event: Sent) => [event.created, event.creates && !event.deletes ? 0 : 1] as const;
  return candidates.reduce((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    const newer = kb[0] !== ka[0] ? kb[0] > ka[0] : kb[1] !== ka[1] ? kb[1] > ka[1] : b.id > a.id;
    return newer ? b : a;
  });
}

const TABLES = { customer: "customers", subscription: "subscriptions", invoice: "invoices" } as const;
const NESTED = {
  subscription: ["subscription_items", "subscription"],
  invoice: ["invoice_line_items", "invoice"],
} as const;

/** Stripe events for random object histories, and the final state each object must end in. */
export function eventsFor(objects: ObjectHistory[]): {
  bodies: string[];
  eventIds: string[];
  expected: Expected;
} {
  const expected: Expected = new Map();
  const bodies: string[] = [];
  const eventIds: string[] = [];
  let previous: { history: ObjectHistory; id: string } | null = null;
  for (const history of objects) {
    // The same id under two accounts is two objects: Connect accounts' ids are not unique across accounts.
    // Never twice under one account: each history is one object's whole story.
    const shared =
      history.sharesId && previous?.history.kind === history.kind && !expected.has(`${history.account}/${previous.id}`);
    const id: string =
      shared && previous ? previous.id : `${history.kind.slice(0, 3)}_${randomBytes(6).toString("hex")}`;
    previous = { history, id };
    const sent = history.changes.map((step, version): Sent => {
      // Random ids: Stripe's are not ordered by time, so the tie-break must not assume they are.
      const eventId = `evt_${randomBytes(8).toString("base64url")}`;
      return {
        id: eventId,
        created: T + step.second,
        deletes: step.deletes,
        creates: step.creates,
        object: objectFor(history.kind, id, step, version),
      };
    });
    expected.set(`${history.account}/${id}`, {
      kind: history.kind,
      account: history.account,
      id,
      winner: newest(sent),
    });
    for (const event of sent) {
      const verb = event.deletes ? "deleted" : event.creates ? "created" : "updated";
      const type = history.kind === "subscription" ? `customer.subscription.${verb}` : `${history.kind}.${verb}`;
      const account = history.account === "" ? {} : { account: history.account };
      bodies.push(
        JSON.stringify(mirrorEvent({ id: event.id, type, object: event.object, created: event.created, ...account })),
      );
      eventIds.push(event.id);
    }
  }
  return { bodies, eventIds, expected };
}

/** The same items in an order fast-check picks from the seed. */
export function shuffle<T>(items: T[], seed: number): T[] {
  return fc.sample(fc.shuffledSubarray(items, { minLength: items.length }), { seed, numRuns: 1 })[0] ?? items;
}

/** Checks every object's row (and nested rows) hold its newest event. `$mirror` in SQL names the mirror schema. */
export async function expectNewestState(
  query: <Row extends object>(sql: string, params?: unknown[]) => Promise<Row[]>,
  expected: Expected,
): Promise<void> {
  for (const { kind, account, id, winner } of expected.values()) {
    const [row] = await query<{ data: unknown; deleted: boolean; last_event_id: string }>(
      `SELECT data, deleted, last_event_id FROM $mirror.${TABLES[kind]} WHERE account = $1 AND id = $2`,
      [account, id],
    );
    expect(row?.last_event_id).toBe(winner.id);
    expect(row?.deleted).toBe(winner.deletes);
    expect(row?.data).toEqual(winner.object);
    if (kind === "customer") continue;
    const [table, parent] = NESTED[kind];
    const nested = await query<{ data: unknown }>(
      `SELECT data FROM $mirror.${table} WHERE account = $1 AND ${parent} = $2 ORDER BY id`,
      [account, id],
    );
    const list = winner.object[kind === "subscription" ? "items" : "lines"] as {
      data: Array<{ id: string }>;
      has_more: boolean;
    };
    const items = [...list.data].sort((a, b) => (a.id < b.id ? -1 : 1));
    // A complete list replaces the rows; a cut one leaves the rows it does not name, from older snapshots.
    if (list.has_more) expect(nested.map((item) => item.data)).toEqual(expect.arrayContaining(items));
    else expect(nested.map((item) => item.data)).toEqual(items);
  }
}
