import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirror, type Mirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import { ENGINES } from "../support/stores.js";
import { API_VERSION, type MirrorTestDb, mirrorEvent, objectId, openMirrorTestDb } from "./support.js";

const T = 1_760_000_000;

describe.each(ENGINES)("applying events to the mirror on %s", (engine) => {
  let db: MirrorTestDb;
  let mirror: Mirror;
  // One database for the file: every test works on objects of its own.
  beforeAll(async () => {
    db = await openMirrorTestDb(engine);
    await migrateMirror(db.store, db.mirrorSchema);
    mirror = createMirror(db.mirrorSchema);
  });
  afterAll(() => db.cleanup());

  const apply = (event: unknown) => db.store.transaction((tx) => mirror.apply(tx, event));
  const customer = (id: string, email: string) => ({ id, object: "customer", email, metadata: { plan: "pro" } });

  it("keeps the newer snapshot when an older event arrives after it", async () => {
    const id = objectId("cus");
    const newer = mirrorEvent({ type: "customer.updated", object: customer(id, "new@example.com"), created: T + 10 });
    const older = mirrorEvent({ type: "customer.updated", object: customer(id, "old@example.com"), created: T });
    expect(await apply(newer)).toBe("applied");
    expect(await apply(older)).toBe("stale");
    const row = await db.row("customers", id);
    expect(row).toMatchObject({ email: "new@example.com", last_event_id: newer.id, deleted: false, account: "" });
    expect(row?.data).toEqual(customer(id, "new@example.com"));
    expect(row?.metadata).toEqual({ plan: "pro" });
    expect(row?.api_version).toBe(API_VERSION);
  });

  it("stores an object whose strings hold NUL or a lone surrogate, which jsonb cannot, with U+FFFD in its place", async () => {
    const id = objectId("cus");
    const object = {
      id,
      object: "customer",
      email: "a@x.io",
      name: "Ada\u0000\uD800",
      metadata: { "k\u0000": "\\u0000 \u0000" },
    };
    expect(await apply(mirrorEvent({ type: "customer.created", object, created: T }))).toBe("applied");
    const row = await db.row("customers", id);
    // A backslash followed by "u0000" is text, not a NUL: it is kept as it is.
    expect(row?.data).toEqual({ ...object, name: "Ada\uFFFD\uFFFD", metadata: { "k\uFFFD": "\\u0000 \uFFFD" } });
  });

  it("breaks a same-second tie by event id in byte order, whichever arrives first", async () => {
    for (const order of [
      ["a", "b"],
      ["b", "a"],
    ] as const) {
      const id = objectId("cus");
      // Upper case sorts before lower case in byte order, not in most locales' collations.
      const events = {
        a: mirrorEvent({ id: "evt_1Zzz", type: "customer.updated", object: customer(id, "z@x.io"), created: T }),
        b: mirrorEvent({ id: "evt_1aaa", type: "customer.updated", object: customer(id, "a@x.io"), created: T }),
      };
      for (const name of order) await apply(events[name]);
      expect((await db.row("customers", id))?.last_event_id, `order ${order.join(",")}`).toBe("evt_1aaa");
    }
  });

  it("takes an update over the create of the same second, whatever their ids", async () => {
    for (const [createId, updateId] of [
      ["evt_1b", "evt_1a"],
      ["evt_2a", "evt_2b"],
    ] as const) {
      const id = objectId("cus");
      const created = mirrorEvent({
        id: createId,
        type: "customer.created",
        object: customer(id, "first@x.io"),
        created: T,
      });
      const updated = mirrorEvent({
        id: updateId,
        type: "customer.updated",
        object: customer(id, "second@x.io"),
        created: T,
      });
      await apply(updated);
      expect(await apply(created)).toBe("stale");
      expect(await db.row("customers", id)).toMatchObject({
        email: "second@x.io",
        last_event_type: "customer.updated",
      });
    }
  });

  it("applies the same event twice as a no-op", async () => {
    const event = mirrorEvent({ type: "customer.created", object: customer(objectId("cus"), "a@x.io"), created: T });
    expect(await apply(event)).toBe("applied");
    expect(await apply(event)).toBe("stale");
  });

  it("leaves a tombstone on delete that an older update cannot resurrect", async () => {
    const id = objectId("cus");
    await apply(mirrorEvent({ type: "customer.created", object: customer(id, "a@x.io"), created: T }));
    const deleted = mirrorEvent({
      type: "customer.deleted",
      object: { id, object: "customer", deleted: true },
      created: T + 5,
    });
    expect(await apply(deleted)).toBe("applied");
    const late = mirrorEvent({ type: "customer.updated", object: customer(id, "b@x.io"), created: T + 3 });
    expect(await apply(late)).toBe("stale");
    const row = await db.row("customers", id);
    expect(row?.deleted).toBe(true);
    expect(row?.last_event_id).toBe(deleted.id);
    // The stub Stripe sends for some deletes is overlaid on what was stored: the data is kept.
    expect(row?.data).toEqual({ ...customer(id, "a@x.io"), deleted: true });
  });

  it("keeps a delete even when it is older than the update already stored", async () => {
    const id = objectId("prod");
    const product = { id, object: "product", name: "Gold", active: true };
    await apply(mirrorEvent({ type: "product.updated", object: product, created: T + 9 }));
    expect(await apply(mirrorEvent({ type: "product.deleted", object: product, created: T + 2 }))).toBe("applied");
    expect((await db.row("products", id))?.deleted).toBe(true);
  });

  it("keeps the same object id under two Connect accounts apart", async () => {
    const id = objectId("cus");
    await apply(
      mirrorEvent({ type: "customer.created", object: customer(id, "one@x.io"), created: T, account: "acct_one" }),
    );
    await apply(
      mirrorEvent({ type: "customer.created", object: customer(id, "two@x.io"), created: T, account: "acct_two" }),
    );
    await apply(
      mirrorEvent({ type: "customer.deleted", object: customer(id, "two@x.io"), created: T + 1, account: "acct_two" }),
    );
    expect(await db.row("customers", id, "acct_one")).toMatchObject({ email: "one@x.io", deleted: false });
    expect(await db.row("customers", id, "acct_two")).toMatchObject({ email: "two@x.io", deleted: true });
    expect(await db.row("customers", id)).toBeUndefined();
  });

  it("replaces a subscription's items on update instead of merging them", async () => {
    const id = objectId("sub");
    const item = (itemId: string, price: string, quantity: number) => ({
      id: itemId,
      object: "subscription_item",
      price: { id: price, object: "price" },
      quantity,
      current_period_start: T,
      current_period_end: T + 2_592_000,
      subscription: id,
    });
    const subscription = (items: unknown[], status: string) => ({
      id,
      object: "subscription",
      customer: "cus_1",
      status,
      items: { object: "list", data: items, has_more: false },
    });
    await apply(
      mirrorEvent({
        type: "customer.subscription.created",
        object: subscription([item("si_a", "price_a", 1), item("si_b", "price_b", 2)], "active"),
        created: T,
      }),
    );
    await apply(
      mirrorEvent({
        type: "customer.subscription.updated",
        object: subscription([item("si_b", "price_b", 5), item("si_c", "price_c", 1)], "past_due"),
        created: T + 1,
      }),
    );
    const items = await db.store.query<{ id: string; quantity: string; price: string }>(
      `SELECT id, quantity, price FROM "${db.mirrorSchema}".subscription_items WHERE subscription = $1 ORDER BY id`,
      [id],
    );
    expect(items.map((row) => [row.id, Number(row.quantity), row.price])).toEqual([
      ["si_b", 5, "price_b"],
      ["si_c", 1, "price_c"],
    ]);
    const row = await db.row("subscriptions", id);
    expect(row).toMatchObject({ status: "past_due", customer: "cus_1" });
    expect(row?.current_period_end).toEqual(new Date((T + 2_592_000) * 1000));
  });

  it("keeps invoice lines beyond the first page when Stripe cut the list", async () => {
    const id = objectId("in");
    const line = (lineId: string) => ({ id: lineId, object: "line_item", amount: 500, currency: "usd" });
    const invoice = (lines: unknown[], hasMore: boolean) => ({
      id,
      object: "invoice",
      status: "open",
      lines: { object: "list", data: lines, has_more: hasMore },
    });
    await apply(
      mirrorEvent({ type: "invoice.created", object: invoice([line("il_1"), line("il_2")], false), created: T }),
    );
    await apply(mirrorEvent({ type: "invoice.updated", object: invoice([line("il_3")], true), created: T + 1 }));
    const lines = await db.store.query<{ id: string }>(
      `SELECT id FROM "${db.mirrorSchema}".invoice_line_items WHERE invoice = $1 ORDER BY id`,
      [id],
    );
    expect(lines.map((row) => row.id)).toEqual(["il_1", "il_2", "il_3"]);
  });

  it("gives credit note lines rows of their own, replaced with the credit note", async () => {
    const id = objectId("cn");
    const note = (lines: string[]) => ({
      id,
      object: "credit_note",
      invoice: "in_1",
      lines: {
        object: "list",
        has_more: false,
        data: lines.map((line) => ({ id: line, object: "credit_note_line_item", amount: 100 })),
      },
    });
    await apply(mirrorEvent({ type: "credit_note.created", object: note(["cnli_1", "cnli_2"]), created: T }));
    await apply(mirrorEvent({ type: "credit_note.updated", object: note(["cnli_2"]), created: T + 1 }));
    const lines = await db.store.query<{ id: string }>(
      `SELECT id FROM "${db.mirrorSchema}".credit_note_line_items WHERE credit_note = $1`,
      [id],
    );
    expect(lines.map((row) => row.id)).toEqual(["cnli_2"]);
    expect((await db.row("credit_notes", id))?.invoice).toBe("in_1");
  });

  it("creates a table on first sight of an object type nobody anticipated", async () => {
    const id = objectId("ewh");
    const event = mirrorEvent({
      type: "radar.value_list.created",
      object: { id, object: "radar.value_list", created: T, metadata: { k: "v" } },
      created: T,
    });
    expect(await apply(event)).toBe("applied");
    const row = await db.row("value_lists", id);
    expect(row).toMatchObject({ metadata: { k: "v" }, deleted: false });
    expect(row?.created).toEqual(new Date(T * 1000));
  });

  it("skips events that carry no Stripe object with an id", async () => {
    expect(await apply({ id: "evt_thin", object: "v2.core.event", type: "v1.billing.meter.no_meter_found" })).toBe(
      "skipped",
    );
    expect(
      await apply(mirrorEvent({ type: "balance.available", object: { object: "balance" } as never, created: T })),
    ).toBe("skipped");
    const preview = { id: "upcoming_in_1Preview", object: "invoice", customer: "cus_1" } as never;
    expect(await apply(mirrorEvent({ type: "invoice.upcoming", object: preview, created: T }))).toBe("skipped");
    expect(await db.row("invoices", "upcoming_in_1Preview")).toBeUndefined();
  });

  it("records the api_version and warns when an event's differs from the stored one", async () => {
    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    const id = objectId("cus");
    await db.store.transaction((tx) =>
      mirror.apply(tx, mirrorEvent({ type: "customer.created", object: customer(id, "a@x.io"), created: T }), log),
    );
    expect(warnings).toEqual([]);
    const event = mirrorEvent({
      type: "customer.updated",
      object: customer(id, "b@x.io"),
      created: T + 1,
      apiVersion: "2024-06-20",
    });
    await db.store.transaction((tx) => mirror.apply(tx, event, log));
    expect(warnings.join("")).toContain("api_version differs");
    expect((await db.row("customers", id))?.api_version).toBe("2024-06-20");
  });
});
