import { describe, expect, it } from "vitest";
import { paginate } from "../../src/devkit/emulator/list.js";
import { ObjectStore, type StripeObject } from "../../src/devkit/emulator/store.js";

interface Item extends StripeObject {
  n: number;
}

/** 250 items, every seventh removed; the list keeps the even ones, newest first. */
function fixture() {
  const store = new ObjectStore();
  const items: Item[] = [];
  for (let n = 0; n < 250; n++) items.push(store.insert<Item>({ id: `it_${n}`, object: "item", n }));
  for (const item of items.filter((each) => each.n % 7 === 0)) store.remove(item);
  const expected = items.filter((item) => item.n % 7 !== 0 && item.n % 2 === 0).reverse();
  const query = () => store.query<Item>("item").filter((item) => item.n % 2 === 0);
  return { store, expected, query };
}

const ids = (items: readonly StripeObject[]) => items.map((item) => item.id);

describe("paginate over stored objects", () => {
  it("walks forward with starting_after through removed and filtered-out objects, each object once", () => {
    const { expected, query } = fixture();
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = paginate(query(), { limit: "9", ...(after && { starting_after: after }) }, "/v1/items");
      seen.push(...ids(page.data));
      if (!page.has_more) break;
      after = page.data.at(-1)?.id;
    }
    expect(seen).toEqual(ids(expected));
  });

  it("walks back with ending_before, each page newest first, as an array of the same objects pages", () => {
    const { expected, query } = fixture();
    const oldest = expected.at(-1) as Item;
    const pages: string[][] = [];
    let before = oldest.id;
    for (;;) {
      const page = paginate(query(), { limit: "10", ending_before: before }, "/v1/items");
      const fromArray = paginate(expected, { limit: "10", ending_before: before }, "/v1/items");
      expect(ids(page.data)).toEqual(ids(fromArray.data));
      expect(page.has_more).toBe(fromArray.has_more);
      pages.push(ids(page.data));
      if (!page.has_more) break;
      before = page.data[0]?.id as string;
    }
    expect(pages.reverse().flat()).toEqual(ids(expected.slice(0, -1)));
  });

  it("refuses a cursor that is not in the list: removed, filtered out or unknown", () => {
    const { query } = fixture();
    for (const cursor of ["it_7", "it_3", "it_nope"]) {
      expect(() => paginate(query(), { starting_after: cursor }, "/v1/items")).toThrow(`No such object: '${cursor}'`);
    }
  });
});
