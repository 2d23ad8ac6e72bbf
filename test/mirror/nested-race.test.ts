import { afterEach, describe, expect, it } from "vitest";
import { createMirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import { type MirrorTestDb, mirrorEvent, objectId, openMirrorTestDb } from "./support.js";

const T = 1_760_000_000;

describe("a nested list written by two transactions at once on postgres", () => {
  let db: MirrorTestDb;
  afterEach(() => db.cleanup());

  it("removes an item that a concurrent older write added, once the newer write applies after it", async () => {
    db = await openMirrorTestDb("postgres");
    await migrateMirror(db.store, db.mirrorSchema);
    const mirror = createMirror(db.mirrorSchema);
    const id = objectId("sub");
    const subscription = (items: string[], created: number, type: string) =>
      mirrorEvent({
        type,
        created,
        object: {
          id,
          object: "subscription",
          items: {
            object: "list",
            has_more: false,
            data: items.map((item) => ({ id: item, object: "subscription_item" })),
          },
        },
      });
    await db.store.transaction((tx) => mirror.apply(tx, subscription(["si_a"], T, "customer.subscription.created")));

    // The older update adds si_b and holds the subscription's row, uncommitted, while the newer one (back to si_a
    // alone) starts: the newer statement's snapshot predates si_b, yet it must delete si_b after waiting.
    let olderWritten: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      olderWritten = resolve;
    });
    let releaseOlder: () => void = () => {};
    const release = new Promise<void>((resolve) => {
      releaseOlder = resolve;
    });
    const older = db.store.transaction(async (tx) => {
      await mirror.apply(tx, subscription(["si_a", "si_b"], T + 1, "customer.subscription.updated"));
      olderWritten();
      await release;
    });
    await written;
    const newer = db.store.transaction((tx) =>
      mirror.apply(tx, subscription(["si_a"], T + 2, "customer.subscription.updated")),
    );
    // Long enough for the newer statement to begin and wait on the row.
    await new Promise((resolve) => setTimeout(resolve, 300));
    releaseOlder();
    await older;
    expect(await newer).toBe("applied");

    const items = await db.store.query<{ id: string }>(
      `SELECT id FROM "${db.mirrorSchema}".subscription_items WHERE subscription = $1 ORDER BY id`,
      [id],
    );
    expect(items.map((row) => row.id)).toEqual(["si_a"]);
  });
});
