import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirror, type Mirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import type { Queryable } from "../../src/store/store.js";
import { type DeferredWrite, writeDeferred } from "../../src/worker/deferred-writes.js";
import type { HandlerContext } from "../../src/worker/registry.js";
import { ENGINES } from "../support/stores.js";
import { eventsFor, expectNewestState, histories, shuffle } from "./histories.js";
import { type MirrorTestDb, mirrorEvent, objectId, openMirrorTestDb } from "./support.js";

const T = 1_760_000_000;
const silent = pino({ level: "silent" });

/** Applies events as one batch of runs does: each queues its object, then the writer writes them all in `tx`. */
async function applyAsBatch(mirror: Mirror, tx: Queryable, events: unknown[]): Promise<void> {
  const queued: DeferredWrite[] = [];
  const defer = ((writer: DeferredWrite["writer"], item: unknown) => {
    queued.push({ writer, item });
  }) as HandlerContext["defer"];
  for (const event of events) await mirror.applyInRun({ tx, defer, log: silent }, event);
  await writeDeferred(tx, queued);
}

/** Counts the statements sent through a transaction. */
function counting(tx: Queryable): Queryable & { statements: number } {
  const counted = {
    statements: 0,
    query: ((sql, params, options) => {
      counted.statements++;
      return tx.query(sql, params, options);
    }) as Queryable["query"],
    exec: (sql: string) => tx.exec(sql),
  };
  return counted;
}

describe.each(ENGINES)("the mirror's objects written in batches of runs on %s", (engine) => {
  let db: MirrorTestDb;
  let mirror: Mirror;
  beforeAll(async () => {
    db = await openMirrorTestDb(engine);
    await migrateMirror(db.store, db.mirrorSchema);
    mirror = createMirror(db.mirrorSchema);
    // Tables are known once seen: before that, an object is written at once, to create its table.
    const first = [
      mirrorEvent({ type: "customer.created", created: T, object: { id: objectId("cus"), object: "customer" } }),
      mirrorEvent({
        type: "customer.subscription.created",
        created: T,
        object: { id: objectId("sub"), object: "subscription" },
      }),
      mirrorEvent({ type: "invoice.created", created: T, object: { id: objectId("in"), object: "invoice" } }),
    ];
    for (const event of first) await db.store.transaction((tx) => mirror.apply(tx, event));
  }, 60_000);
  afterAll(() => db.cleanup());

  const query = <Row extends object>(sql: string, params?: unknown[]) =>
    db.store.query<Row>(sql.replaceAll("$mirror", `"${db.mirrorSchema}"`), params);

  it("writes a batch with one statement per table, whatever the number of objects", async () => {
    const customers = Array.from({ length: 10 }, () =>
      mirrorEvent({ type: "customer.created", created: T, object: { id: objectId("cus"), object: "customer" } }),
    );
    const subscriptions = Array.from({ length: 5 }, () =>
      mirrorEvent({
        type: "customer.subscription.created",
        created: T,
        object: {
          id: objectId("sub"),
          object: "subscription",
          items: { object: "list", has_more: false, data: [{ id: objectId("si"), object: "subscription_item" }] },
        },
      }),
    );
    const statements = await db.store.transaction(async (tx) => {
      const counted = counting(tx);
      await applyAsBatch(mirror, counted, [...customers, ...subscriptions]);
      return counted.statements;
    });
    expect(statements).toBe(2);
    const ids = [...customers, ...subscriptions].map((event) => (event.data as { object: { id: string } }).object.id);
    const rows = await query<{ n: number }>(
      `SELECT (SELECT count(*) FROM $mirror.customers WHERE id = ANY($1))
            + (SELECT count(*) FROM $mirror.subscriptions WHERE id = ANY($1)) AS n`,
      [ids],
    );
    expect(Number(rows[0]?.n)).toBe(15);
  });

  it("takes an object's newest update, then its delete, from one batch, in any order", async () => {
    const id = objectId("cus");
    const customer = (email: string) => ({ id, object: "customer", email });
    const events = [
      mirrorEvent({ id: "evt_3", type: "customer.updated", created: T + 3, object: customer("newest@x.io") }),
      mirrorEvent({ id: "evt_1", type: "customer.created", created: T + 1, object: customer("first@x.io") }),
      mirrorEvent({ id: "evt_2", type: "customer.deleted", created: T + 2, object: { id, object: "customer" } }),
      mirrorEvent({ id: "evt_0", type: "customer.updated", created: T, object: customer("older@x.io") }),
    ];
    await db.store.transaction((tx) => applyAsBatch(mirror, tx, events));
    const row = await db.row("customers", id);
    // The delete is final; the tombstone keeps the newest update's fields under the delete's snapshot.
    expect(row?.deleted).toBe(true);
    expect(row?.last_event_id).toBe("evt_2");
    expect(row?.data).toEqual({ id, object: "customer", email: "newest@x.io" });
  });

  it("asks the store whether a first-seen type's table exists, and uses the run's transaction only to create one", async () => {
    const fresh = createMirror(db.mirrorSchema, { store: async () => db.store });
    const queued: DeferredWrite[] = [];
    let transactionUsed = 0;
    const tx: Queryable = {
      query: ((...args: Parameters<Queryable["query"]>) => {
        transactionUsed++;
        return db.store.query(...args);
      }) as Queryable["query"],
      exec: (sql) => db.store.exec(sql),
    };
    const defer = ((writer: DeferredWrite["writer"], item: unknown) => {
      queued.push({ writer, item });
    }) as HandlerContext["defer"];
    const customer = mirrorEvent({
      type: "customer.created",
      created: T,
      object: { id: objectId("cus"), object: "customer" },
    });
    expect(await fresh.applyInRun({ tx, defer, log: silent }, customer)).toBe("deferred");
    expect(transactionUsed).toBe(0);
    const card = mirrorEvent({
      type: "issuing_card.created",
      created: T,
      object: { id: objectId("ic"), object: "issuing.card" },
    });
    expect(await fresh.applyInRun({ tx, defer, log: silent }, card)).toBe("applied");
    expect(transactionUsed).toBeGreaterThan(0);
    expect(queued).toHaveLength(1);
  });

  it("ends in the newest event's state for shuffled sequences split into random batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories,
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
        async (objects, shuffleSeed, batchSizes) => {
          const { bodies, expected } = eventsFor(objects);
          const events = shuffle(bodies, shuffleSeed).map((body) => JSON.parse(body) as unknown);
          for (let start = 0, batch = 0; start < events.length; batch++) {
            const size = batchSizes[batch % batchSizes.length] ?? 1;
            const slice = events.slice(start, start + size);
            await db.store.transaction((tx) => applyAsBatch(mirror, tx, slice));
            start += size;
          }
          await expectNewestState(query, expected);
        },
      ),
      { numRuns: engine === "postgres" ? 60 : 25 },
    );
  }, 300_000);
});

describe("two batches that write the same objects at once (postgres)", () => {
  let db: MirrorTestDb;
  afterAll(() => db.cleanup());

  it("take their row locks in one order: an update of one and a delete of the other in each, no deadlock", async () => {
    db = await openMirrorTestDb("postgres");
    await migrateMirror(db.store, db.mirrorSchema);
    const mirror = createMirror(db.mirrorSchema);
    const [x, y] = [objectId("cus"), objectId("cus")] as [string, string];
    for (const id of [x, y]) {
      const created = mirrorEvent({ type: "customer.created", created: T, object: { id, object: "customer" } });
      await db.store.transaction((tx) => mirror.apply(tx, created));
    }
    const update = (id: string) =>
      mirrorEvent({ type: "customer.updated", created: T + 1, object: { id, object: "customer", email: "u@x.io" } });
    const remove = (id: string) =>
      mirrorEvent({ type: "customer.deleted", created: T + 2, object: { id, object: "customer" } });
    // Each batch pauses after its first statement until the other has run its own (or a second has passed): if
    // either then needed a row the other holds, Postgres would report a deadlock and roll one back.
    const paused = meetAfterFirstStatement(2, 1_000);
    const outcomes = await Promise.allSettled([
      db.store.transaction((tx) => applyAsBatch(mirror, paused(tx), [update(x), remove(y)])),
      db.store.transaction((tx) => applyAsBatch(mirror, paused(tx), [update(y), remove(x)])),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    expect((await db.row("customers", x))?.deleted).toBe(true);
    expect((await db.row("customers", y))?.deleted).toBe(true);
  });
});

/** Wraps transactions so that each waits after its first statement until `parties` have got there, or `ms` pass. */
function meetAfterFirstStatement(parties: number, ms: number) {
  let arrived = 0;
  let release = () => {};
  const met = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, ms);
  });
  return (tx: Queryable): Queryable => {
    let statements = 0;
    return {
      exec: (sql) => tx.exec(sql),
      query: (async (sql, params, options) => {
        const rows = await tx.query(sql, params, options);
        if (++statements === 1) {
          if (++arrived === parties) release();
          await met;
        }
        return rows;
      }) as Queryable["query"],
    };
  };
}
