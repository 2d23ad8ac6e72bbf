import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonbText } from "../../src/store/pg-values.js";

/** The same value with every NUL and lone surrogate, in keys and strings, replaced by U+FFFD. */
function asJsonbHolds(value: unknown): unknown {
  // By code point: a surrogate pair is one, a lone surrogate one of its own.
  const clean = (text: string) =>
    Array.from(text, (char) => (char === "\0" || /\p{Cs}/u.test(char) ? "\uFFFD" : char)).join("");
  if (typeof value === "string") return clean(value);
  if (Array.isArray(value)) return value.map(asJsonbHolds);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [clean(key), asJsonbHolds(item)]));
  }
  return value;
}

const text = fc.string({ unit: fc.constantFrom("a", "\\", "u", "0", "d", "8", "\0", "\uD800", "\uDC00", "\n", "é") });
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("jsonbText", () => {
  it("writes JSON that parses to the value, with what jsonb cannot hold as U+FFFD", () => {
    fc.assert(
      fc.property(json, (value) => {
        const written = jsonbText(value);
        expect(JSON.parse(written)).toEqual(asJsonbHolds(value));
        expect(written).not.toMatch(/(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/);
      }),
      { numRuns: 2000 },
    );
  });

  it("returns JSON.stringify's own text when there is nothing to replace", () => {
    const value = { id: "cus_1", name: "Zoë \\u0000", lines: [1, null, true] };
    expect(jsonbText(value)).toBe(JSON.stringify(value));
  });
});
