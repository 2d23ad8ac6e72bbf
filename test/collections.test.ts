import { describe, expect, it } from "vitest";
import { groupBy, sortedByKey } from "../src/collections.js";

describe("sortedByKey", () => {
  it("sorts in code-unit order, as Postgres' C collation does, and keeps equal keys in their order", () => {
    const items = [
      { key: "b", n: 1 },
      { key: "a", n: 2 },
      { key: "B", n: 3 },
      { key: "a", n: 4 },
    ];
    expect(sortedByKey(items, (item) => item.key).map((item) => item.n)).toEqual([3, 2, 4, 1]);
    expect(items.map((item) => item.n)).toEqual([1, 2, 3, 4]);
  });

  it("computes each item's key once", () => {
    let calls = 0;
    sortedByKey(["c", "a", "b", "d", "e"], (item) => {
      calls++;
      return item;
    });
    expect(calls).toBe(5);
  });
});

describe("groupBy", () => {
  it("keeps groups and their items in first-seen order, for any kind of key", () => {
    const a = { name: "a" };
    const b = { name: "b" };
    const grouped = groupBy(
      [
        { owner: b, n: 1 },
        { owner: a, n: 2 },
        { owner: b, n: 3 },
      ],
      (item) => item.owner,
    );
    expect([...grouped.keys()]).toEqual([b, a]);
    expect(grouped.get(b)?.map((item) => item.n)).toEqual([1, 3]);
    expect(grouped.get(a)?.map((item) => item.n)).toEqual([2]);
  });
});
