import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import type { Queryable } from "../../src/store/store.js";
import { ENGINES } from "../support/stores.js";
import { type MirrorTestDb, mirrorEvent, objectId, openMirrorTestDb } from "./support.js";

const T = 1_760_000_000;

describe.each(ENGINES)("the mirror's asynchronous commit option on %s", (engine) => {
  let db: MirrorTestDb;
  beforeAll(async () => {
    db = await openMirrorTestDb(engine);
    await migrateMirror(db.store, db.mirrorSchema);
  });
  afterAll(() => db.cleanup());

  const synchronousCommit = async (tx: Queryable) =>
    (await tx.query<{ synchronous_commit: string }>("SHOW synchronous_commit"))[0]?.synchronous_commit;
  const subscription = () =>
    mirrorEvent({
      type: "customer.subscription.created",
      created: T,
      object: {
        id: objectId("sub"),
        object: "subscription",
        items: { object: "list", has_more: false, data: [{ id: objectId("si"), object: "subscription_item" }] },
      },
    });

  it("turns synchronous_commit off for the applying transaction only, when asked", async () => {
    const mirror = createMirror(db.mirrorSchema, { asynchronousCommit: true });
    for (const event of [
      subscription(),
      mirrorEvent({ type: "customer.created", created: T, object: { id: objectId("cus"), object: "customer" } }),
    ]) {
      const inside = await db.store.transaction(async (tx) => {
        expect(await mirror.apply(tx, event)).toBe("applied");
        return synchronousCommit(tx);
      });
      expect(inside).toBe("off");
    }
    expect(await db.store.transaction(synchronousCommit)).toBe("on");
  });

  it("leaves the caller's commit synchronous by default", async () => {
    const mirror = createMirror(db.mirrorSchema);
    const inside = await db.store.transaction(async (tx) => {
      expect(await mirror.apply(tx, subscription())).toBe("applied");
      return synchronousCommit(tx);
    });
    expect(inside).toBe("on");
  });
});
