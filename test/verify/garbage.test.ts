import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignatureError } from "../../src/errors.js";
import { sign } from "../../src/verify/sign.js";
import { verifySignature } from "../../src/verify/verify.js";
import { eventBody, SECRET } from "../support/events.js";
import { bytes, expectNoSecretIn, rejectionCode, rejectionOf } from "./rejections.js";

const T = 1_760_000_000;
const options = { secrets: [SECRET, "Zk3uP9qLx2RmTb7"], now: () => T };

/** Whatever comes in, the only thing verifySignature may throw is a SignatureError that leaks no secret. */
function expectOnlySignatureErrors(body: Uint8Array, header: string | null): void {
  try {
    verifySignature(body, header, options);
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    if (error instanceof SignatureError) expectNoSecretIn(error, options.secrets);
  }
}

/** Headers assembled from the pieces a parser cares about, so random input reaches past the first check. */
const headerPieces = fc
  .array(
    fc.oneof(
      fc.constantFrom("t", "v1", "v0", "v2", "=", ",", " ", "==", "t=", "v1=", `t=${T}`, "-", ".", "\t"),
      fc.stringMatching(/^[0-9a-f]{0,70}$/),
      fc.integer().map(String),
      fc.string({ maxLength: 10 }),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(""));

const randomBody = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  fc.string({ unit: "binary", maxLength: 2000 }).map(bytes),
  fc.json().map(bytes),
  fc.constantFrom("", "[object Object]", "null", "{}", "[]", '"', "{", "\u0000").map(bytes),
);

describe("verifySignature on garbage", () => {
  it("throws nothing but a SignatureError for random header strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), headerPieces), randomBody, (header, body) => {
        expectOnlySignatureErrors(body, header);
      }),
      { numRuns: 1000 },
    );
  });

  it("throws nothing but a SignatureError for random bodies under a well-formed header", () => {
    fc.assert(
      fc.property(randomBody, fc.boolean(), (body, validForAnotherBody) => {
        const header = validForAnotherBody
          ? sign(eventBody(), { secret: SECRET, timestamp: T })
          : `t=${T},v1=${randomBytes(32).toString("hex")}`;
        expectOnlySignatureErrors(body, header);
      }),
      { numRuns: 500 },
    );
  });

  it("still accepts a correctly signed random body, whatever its bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (body) => {
        expect(verifySignature(body, sign(body, { secret: SECRET, timestamp: T }), options).secretIndex).toBe(0);
      }),
    );
  });

  it("rejects very long headers as malformed without echoing them", () => {
    const body = eventBody();
    for (const header of [
      `t=${T},v1=${"a".repeat(100_000)}`,
      `t=${T},${`v1=${"0".repeat(64)},`.repeat(10_000)}v1=${sign(body, { secret: SECRET, timestamp: T }).slice(-64)}`,
      `t=${"9".repeat(50_000)},v1=${"0".repeat(64)}`,
      ",".repeat(1_000_000),
      `t=${T},${"x".repeat(1_000_000)}=1`,
    ]) {
      const error = rejectionOf(body, header, options);
      expect(error.code).toBe("signature_header_malformed");
      expect(error.message.length).toBeLessThan(400);
      expectNoSecretIn(error, options.secrets);
    }
  });

  it("handles a long header within the limit: many v1 values, one of them right", () => {
    const body = eventBody();
    const right = sign(body, { secret: SECRET, timestamp: T }).slice(-64);
    const decoys = Array.from({ length: 100 }, () => `v1=${randomBytes(32).toString("hex")}`);
    const header = [`t=${T}`, ...decoys, `v1=${right}`].join(",");
    expect(header.length).toBeGreaterThan(6000);
    expect(verifySignature(bytes(body), header, options).secretIndex).toBe(0);
    expect(rejectionCode(body, [`t=${T}`, ...decoys].join(","), options)).toBe("signature_mismatch");
  });

  it("answers a megabyte of random bytes or of deeply nested JSON with a SignatureError", () => {
    const header = sign(eventBody(), { secret: SECRET, timestamp: T });
    expect(rejectionCode(randomBytes(1024 * 1024), header, options)).toBe("signature_mismatch");
    const nested = `${"[".repeat(512 * 1024)}${"]".repeat(512 * 1024)}`;
    expect(rejectionCode(nested, header, options)).toBe("signature_mismatch");
    const objects = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(rejectionCode(objects, header, options)).toBe("signature_mismatch");
    const invalidUtf8 = Uint8Array.from([0xff, 0xfe, 0x7b, 0xc3, 0x28, 0x7d]);
    expect(rejectionCode(invalidUtf8, header, options)).toBe("signature_mismatch");
  });

  it("spends no more than linear time explaining a small, deeply nested body", () => {
    // Re-indenting [[[[...]]]] 4000 levels deep makes a 32 MB string: a cheap request must not cost that.
    const header = sign(eventBody(), { secret: SECRET, timestamp: T });
    const started = performance.now();
    for (const depth of [2000, 3000, 4000, 5000]) {
      const body = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      expect(rejectionCode(body, header, options)).toBe("signature_mismatch");
    }
    // Many siblings 100 levels deep: 1 MB that would re-indent to about 100 MB.
    const siblings = `[${Array.from({ length: 5000 }, () => `${"[".repeat(100)}${"]".repeat(100)}`).join(",")}]`;
    expect(rejectionCode(siblings, header, options)).toBe("signature_mismatch");
    expect(performance.now() - started).toBeLessThan(300);
  });
});
