import { describe, expect, it } from "vitest";
import { parseSearchQuery, SearchQueryError } from "../../src/devkit/emulator/search/query.js";

describe("Stripe's search query language, parsed", () => {
  it("reads fields, metadata keys, operators, quoted and bare values, and negation", () => {
    expect(
      parseSearchQuery(`-email:"a@b.co" and metadata['order id']~'ord' AND amount>=1000 and refunded:true`),
    ).toEqual({
      join: "AND",
      clauses: [
        { negated: true, field: "email", operator: ":", value: "a@b.co", quoted: true },
        { negated: false, field: "metadata", metadataKey: "order id", operator: "~", value: "ord", quoted: true },
        { negated: false, field: "amount", operator: ">=", value: 1000, quoted: false },
        { negated: false, field: "refunded", operator: ":", value: true, quoted: false },
      ],
    });
  });

  it("unescapes quotes inside a quoted value and keeps a dotted field whole", () => {
    const { clauses } = parseSearchQuery(String.raw`description:"the \"Sky\" and \\sea" OR url:null`);
    expect(clauses.map(({ field, value }) => [field, value])).toEqual([
      ["description", String.raw`the "Sky" and \sea`],
      ["url", null],
    ]);
    expect(parseSearchQuery("payment_method_details.card.last4:4242").clauses[0]?.field).toBe(
      "payment_method_details.card.last4",
    );
  });

  it("joins clauses separated only by spaces with AND, and takes OR in any case", () => {
    expect(parseSearchQuery(`name:"a"   name:"b"`).join).toBe("AND");
    expect(parseSearchQuery(`name:"a" oR name:"b"`).join).toBe("OR");
  });

  it.each([
    ["", "the query is empty"],
    [`name:"a"name:"b"`, "expected a space, AND or OR between clauses, at character 9"],
    [`name:"a" AND AND name:"b"`, "expected an operator (:, ~, >, >=, <, <=) after AND"],
    [`metadata["k":"v"`, `expected ] after the key in metadata["key"]`],
    [`metadata[""]:"v"`, "a metadata key cannot be empty"],
    [`.name:"a"`, "expected a field name, at character 1"],
  ])("refuses %j: %s", (query, message) => {
    expect(() => parseSearchQuery(query)).toThrow(SearchQueryError);
    expect(() => parseSearchQuery(query)).toThrow(message);
  });
});
