import { describe, expect, it } from "vitest";
import { PayloadError } from "../../src/errors.js";
import { parseEvent } from "../../src/inbox/parse-event.js";
import { eventBody } from "../support/events.js";

const refusal = (body: Uint8Array) => {
  try {
    parseEvent(body);
  } catch (error) {
    if (error instanceof PayloadError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("parsed a body that should have been refused");
};

describe("bodies Stripe could never have sent", () => {
  const text = eventBody();
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["a UTF-8 byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), /byte order mark/],
    [
      "UTF-16LE with its byte order mark",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      /UTF-16/,
    ],
    [
      "UTF-16BE with its byte order mark",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]),
      /UTF-16/,
    ],
    ["UTF-16 without a byte order mark", Buffer.from(text, "utf16le"), /NUL bytes/],
    ["a NUL byte between tokens", Buffer.from(text.replace("{", "{\u0000")), /NUL bytes/],
    ["Latin-1 text", Buffer.from(text.replace("jenny.rosen", "jenny.rösen"), "latin1"), /not valid UTF-8/],
  ];

  it.each(cases)("answers %s with payload_encoding_invalid, a 400", (_name, body, reason) => {
    const answer = refusal(body);
    expect(answer).toMatchObject({ code: "payload_encoding_invalid", status: 400 });
    expect(answer.message).toMatch(reason);
    expect(answer.message).toMatch(/Stripe never sends this/);
  });

  it("still parses UTF-8 as Stripe sends it, non-ASCII text and escapes included", () => {
    const body = eventBody({ description: "Grüße aus 東京 🎉", metadata: { escaped: "\u00e9 \u2028" } });
    expect(parseEvent(Buffer.from(body)).text).toBe(body);
  });

  it("keeps malformed JSON in UTF-8 a payload_malformed", () => {
    expect(refusal(Buffer.from('{"id": "evt_1",')).code).toBe("payload_malformed");
  });
});

describe("nesting", () => {
  /** An event whose data.object.deep is a string in `levels` arrays: the body nests 3 + `levels` levels deep. */
  const nestedEvent = (levels: number, text = "") =>
    Buffer.from(
      eventBody({ data: { object: { id: "cus_1", deep: "DEEP" } } }).replace(
        '"DEEP"',
        `${"[".repeat(levels)}${JSON.stringify(text)}${"]".repeat(levels)}`,
      ),
    );

  it("accepts 512 levels and refuses 513 with payload_not_event", () => {
    expect(parseEvent(nestedEvent(509)).envelope.type).toBe("customer.created");
    const answer = refusal(nestedEvent(510));
    expect(answer).toMatchObject({ code: "payload_not_event", status: 400 });
    expect(answer.message).toMatch(/nests deeper than 512 levels/);
  });

  it("counts no bracket inside a string, escaped quotes and multi-byte characters included", () => {
    const brackets = `[{ " [[ é 東 🎉 \\ ${"[".repeat(600)} \\" {`;
    expect(parseEvent(nestedEvent(509, brackets)).envelope.type).toBe("customer.created");
    expect(refusal(nestedEvent(510, brackets)).code).toBe("payload_not_event");
  });
});
