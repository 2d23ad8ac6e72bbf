import { afterEach, describe, expect, it } from "vitest";
import { objectLockKey, withObjectLocks } from "../../src/mirror/object-locks.js";
import { openTestStore, type TestStore } from "../support/stores.js";

describe("object locks on postgres", () => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  it("rolls a deadlock victim back to its savepoint and retries it, so both transactions commit", async () => {
    db = await openTestStore("postgres");
    const table = `"${db.config.schema}".accounts_under_test`;
    await db.store.exec(`CREATE SCHEMA "${db.config.schema}"; CREATE TABLE ${table} (id text PRIMARY KEY, n int);
      INSERT INTO ${table} VALUES ('a', 0), ('b', 0);`);
    let bothHoldTheirFirstRow: () => void = () => {};
    let holding = 0;
    const barrier = new Promise<void>((resolve) => {
      bothHoldTheirFirstRow = resolve;
    });
    const attempts = { ab: 0, ba: 0 };
    // Rows locked in opposite orders by two transactions: a real deadlock, detected after deadlock_timeout (1 s).
    const crossWrite = (first: string, second: string, name: "ab" | "ba") =>
      db.store.transaction((tx) =>
        withObjectLocks(tx, [], async () => {
          attempts[name]++;
          await tx.query(`UPDATE ${table} SET n = n + 1 WHERE id = $1`, [first]);
          if (attempts[name] === 1 && ++holding === 2) bothHoldTheirFirstRow();
          if (attempts[name] === 1) await barrier;
          await tx.query(`UPDATE ${table} SET n = n + 1 WHERE id = $1`, [second]);
        }),
      );
    await Promise.all([crossWrite("a", "b", "ab"), crossWrite("b", "a", "ba")]);
    expect(attempts.ab + attempts.ba).toBe(3);
    const rows = await db.store.query<{ id: string; n: number }>(`SELECT id, n FROM ${table} ORDER BY id`);
    // Each transaction's writes count once: the victim's first attempt was rolled back.
    expect(rows).toEqual([
      { id: "a", n: 2 },
      { id: "b", n: 2 },
    ]);
  }, 20_000);

  it("makes a second writer of the same object wait for the first one's commit", async () => {
    db = await openTestStore("postgres");
    const key = objectLockKey("stripe", "customers", "", "cus_1");
    const order: string[] = [];
    let firstHasLock: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      firstHasLock = resolve;
    });
    const first = db.store.transaction((tx) =>
      withObjectLocks(tx, [key], async () => {
        firstHasLock();
        await new Promise((resolve) => setTimeout(resolve, 300));
        order.push("first done");
      }),
    );
    await locked;
    const second = db.store.transaction((tx) =>
      withObjectLocks(tx, [objectLockKey("stripe", "customers", "acct_x", "cus_1"), key], async () => {
        order.push("second in");
      }),
    );
    await Promise.all([first, second]);
    expect(order).toEqual(["first done", "second in"]);
  });
});
