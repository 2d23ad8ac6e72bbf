import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sign } from "../../src/verify/sign.js";
import { DEFAULT_TOLERANCE_SECONDS, verifySignature } from "../../src/verify/verify.js";
import { eventBody, SECRET } from "../support/events.js";
import { bytes, expectNoSecretIn, rejectionCode, rejectionOf } from "./rejections.js";

const T = 1_760_000_000;
const at = (seconds: number) => () => seconds;
const OLD = "whsec_old_secret_being_rolled_away_0000";
const NEW = "whsec_new_secret_rolled_in_1111111111111";
const OTHER = "whsec_other_endpoint_secret_22222222222";

/** The hex v1 value Stripe would send for `body` signed with `secret` at `timestamp`. */
function v1(body: string, secret: string, timestamp = T): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

describe("sign", () => {
  it("writes t= then one v1= per secret, the HMAC-SHA256 of t.body keyed by the whole secret", () => {
    const body = eventBody();
    expect(sign(body, { secret: NEW, timestamp: T })).toBe(`t=${T},v1=${v1(body, NEW)}`);
    expect(sign(body, { secret: NEW, timestamp: T, alsoSignWith: [OLD] })).toBe(
      `t=${T},v1=${v1(body, NEW)},v1=${v1(body, OLD)}`,
    );
  });

  it("signs the same bytes whether given a string or a Uint8Array", () => {
    const body = eventBody({ description: "Grüße, 東京 🎉" });
    expect(sign(bytes(body), { secret: SECRET, timestamp: T })).toBe(sign(body, { secret: SECRET, timestamp: T }));
  });

  it("stamps the current time when no timestamp is given", () => {
    const before = Math.floor(Date.now() / 1000);
    const header = sign("{}", { secret: SECRET });
    const after = Math.floor(Date.now() / 1000);
    const stamped = Number(/^t=(\d+),/.exec(header)?.[1]);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(after);
  });
});

describe("verifySignature with several secrets (rotation)", () => {
  const body = eventBody();

  it("accepts a signature made with any configured secret and says which one matched", () => {
    const secrets = [OLD, NEW, OTHER];
    secrets.forEach((secret, index) => {
      const header = sign(body, { secret, timestamp: T });
      expect(verifySignature(bytes(body), header, { secrets, now: at(T) })).toEqual({
        timestamp: T,
        secretIndex: index,
      });
    });
  });

  it("reports the index of the matching secret for any number of configured secrets", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (suffixes, pick) => {
          const secrets = suffixes.map((suffix) => `whsec_${suffix}`);
          const index = pick % secrets.length;
          const header = sign(body, { secret: secrets[index] ?? "", timestamp: T });
          expect(verifySignature(bytes(body), header, { secrets, now: at(T) }).secretIndex).toBe(index);
        },
      ),
    );
  });

  it("accepts a header carrying two v1 values during a secret roll, whichever secret we hold", () => {
    const header = sign(body, { secret: NEW, timestamp: T, alsoSignWith: [OLD] });
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(bytes(body), header, { secrets: [OLD], now: at(T) }).secretIndex).toBe(0);
    expect(verifySignature(bytes(body), header, { secrets: [NEW], now: at(T) }).secretIndex).toBe(0);
    expect(verifySignature(bytes(body), header, { secrets: [OTHER, NEW], now: at(T) }).secretIndex).toBe(1);
    expect(rejectionCode(body, header, { secrets: [OTHER], now: at(T) })).toBe("signature_mismatch");
  });

  it("accepts the one valid v1 value wherever it stands among invalid ones", () => {
    const good = `v1=${v1(body, SECRET)}`;
    const wrong = `v1=${v1(body, OTHER)}`;
    for (const signatures of [
      [good, wrong],
      [wrong, good],
      [wrong, wrong, good, wrong],
    ]) {
      const header = [`t=${T}`, ...signatures].join(",");
      expect(verifySignature(bytes(body), header, { secrets: [SECRET], now: at(T) }).secretIndex).toBe(0);
    }
  });

  it("rejects when no v1 value matches any secret", () => {
    const header = `t=${T},v1=${v1(body, OTHER)},v1=${v1(body, "whsec_yet_another_one")}`;
    expect(rejectionCode(body, header, { secrets: [OLD, NEW], now: at(T) })).toBe("signature_mismatch");
  });

  it("rejects everything when no secret is configured", () => {
    expect(rejectionCode(body, sign(body, { secret: SECRET, timestamp: T }), { secrets: [], now: at(T) })).toBe(
      "signature_mismatch",
    );
  });
});

describe("verifySignature and the Stripe-Signature header's schemes", () => {
  const body = eventBody();
  const options = { secrets: [SECRET], now: at(T) };

  it("ignores v0 and unknown schemes next to a valid v1", () => {
    const header = `t=${T},v0=${v1(body, SECRET)},v1=${v1(body, SECRET)},v2=future,x-test=1`;
    expect(verifySignature(bytes(body), header, options).secretIndex).toBe(0);
    const reordered = `v0=abc,t=${T},v9=${"0".repeat(64)},v1=${v1(body, SECRET)}`;
    expect(verifySignature(bytes(body), reordered, options).secretIndex).toBe(0);
  });

  it("never accepts a correct signature sent under a scheme other than v1", () => {
    const correct = v1(body, SECRET);
    expect(rejectionCode(body, `t=${T},v0=${correct},v1=${v1(body, OTHER)}`, options)).toBe("signature_mismatch");
    expect(rejectionCode(body, `t=${T},v2=${correct},v1=${"0".repeat(64)}`, options)).toBe("signature_mismatch");
    expect(rejectionCode(body, `t=${T},V1=${correct}`, options)).toBe("signature_header_malformed");
  });

  it("calls a header with only v0 malformed and names v0 in the message", () => {
    const error = rejectionOf(body, `t=${T},v0=${v1(body, SECRET)}`, options);
    expect(error.code).toBe("signature_header_malformed");
    expect(error.message).toContain("v0");
    expect(error.message).toMatch(/no v1 signature/);
    expectNoSecretIn(error, options.secrets);
  });

  it("calls a header with only unknown schemes malformed without echoing what the sender put in it", () => {
    const error = rejectionOf(body, `t=${T},${SECRET}=${v1(body, SECRET)},v2=abc`, options);
    expect(error.code).toBe("signature_header_malformed");
    expect(error.message).toContain("v2");
    expectNoSecretIn(error, options.secrets);
    const long = rejectionOf(body, `t=${T},${"k".repeat(5000)}=1`, options);
    expect(long.message.length).toBeLessThan(400);
  });

  it.each([
    ["no header", null],
    ["an empty header", ""],
    ["a blank header", "   "],
  ])("answers signature_missing for %s", (_, header) => {
    const error = rejectionOf(body, header, options);
    expect(error.code).toBe("signature_missing");
    expect(error.message).toMatch(/Stripe-Signature/);
  });

  it.each([
    ["no t at all", () => `v1=${v1(body, SECRET)}`],
    ["an empty t", () => `t=,v1=${v1(body, SECRET)}`],
    ["a word for t", () => `t=now,v1=${v1(body, SECRET)}`],
    ["a negative t", () => `t=-${T},v1=${v1(body, SECRET)}`],
    ["a fractional t", () => `t=${T}.5,v1=${v1(body, SECRET)}`],
    ["an exponent t", () => `t=1.76e9,v1=${v1(body, SECRET)}`],
    ["a hex t", () => `t=0x68e7b100,v1=${v1(body, SECRET)}`],
    ["a millisecond t", () => `t=${T}000,v1=${v1(body, SECRET)}`],
    ["a t with trailing junk", () => `t=${T}abc,v1=${v1(body, SECRET)}`],
    ["a t without =", () => `t${T},v1=${v1(body, SECRET)}`],
    ["no v1 at all", () => `t=${T}`],
    ["only separators", () => ",,,=,="],
  ])("answers signature_header_malformed for %s", (_, header) => {
    expect(rejectionCode(body, header(), options)).toBe("signature_header_malformed");
  });

  it("tells a missing t from a missing v1 in the message", () => {
    expect(rejectionOf(body, `v1=${v1(body, SECRET)}`, options).message).toMatch(/t=/);
    expect(rejectionOf(body, `t=${T}`, options).message).toMatch(/v1/);
  });

  it("ignores v1 values that are not 64 hex digits instead of failing on them", () => {
    const malformed = [
      "",
      "abc",
      "a".repeat(63),
      "a".repeat(65),
      "a".repeat(128),
      "g".repeat(64),
      `${v1(body, SECRET).slice(0, 62)}zz`,
      "=".repeat(64),
      "é".repeat(32),
      " ".repeat(64),
    ];
    for (const value of malformed) {
      expect(rejectionCode(body, `t=${T},v1=${value}`, options)).toBe("signature_mismatch");
      const withValid = `t=${T},v1=${value},v1=${v1(body, SECRET)}`;
      expect(verifySignature(bytes(body), withValid, options).secretIndex).toBe(0);
    }
  });

  it("does not accept a truncated or extended copy of the right signature", () => {
    const right = v1(body, SECRET);
    for (const value of [right.slice(0, 63), `${right}0`, `${right}${right}`, right.slice(0, 32)]) {
      expect(rejectionCode(body, `t=${T},v1=${value}`, options)).toBe("signature_mismatch");
    }
  });
});

describe("verifySignature and the timestamp tolerance", () => {
  const body = eventBody();
  const header = sign(body, { secret: SECRET, timestamp: T });

  it("defaults to 300 seconds in both directions", () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    for (const skew of [0, 1, -1, 299, -299, 300, -300]) {
      expect(verifySignature(bytes(body), header, { secrets: [SECRET], now: at(T + skew) }).timestamp).toBe(T);
    }
    for (const skew of [301, -301, 3600, -3600, T]) {
      expect(rejectionCode(body, header, { secrets: [SECRET], now: at(T + skew) })).toBe("timestamp_outside_tolerance");
    }
  });

  it("uses the real clock when no clock is given", () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = sign(body, { secret: SECRET, timestamp: now });
    expect(verifySignature(bytes(body), fresh, { secrets: [SECRET] }).timestamp).toBe(now);
    const stale = sign(body, { secret: SECRET, timestamp: now - 400 });
    expect(rejectionCode(body, stale, { secrets: [SECRET] })).toBe("timestamp_outside_tolerance");
    const early = sign(body, { secret: SECRET, timestamp: now + 400 });
    expect(rejectionCode(body, early, { secrets: [SECRET] })).toBe("timestamp_outside_tolerance");
  });

  it("honours a configured tolerance, narrower or wider than the default", () => {
    const narrow = { secrets: [SECRET], toleranceSeconds: 10 };
    expect(verifySignature(bytes(body), header, { ...narrow, now: at(T + 10) }).secretIndex).toBe(0);
    expect(verifySignature(bytes(body), header, { ...narrow, now: at(T - 10) }).secretIndex).toBe(0);
    expect(rejectionCode(body, header, { ...narrow, now: at(T + 11) })).toBe("timestamp_outside_tolerance");
    expect(rejectionCode(body, header, { ...narrow, now: at(T - 11) })).toBe("timestamp_outside_tolerance");

    const wide = { secrets: [SECRET], toleranceSeconds: 3600 };
    expect(verifySignature(bytes(body), header, { ...wide, now: at(T + 3000) }).secretIndex).toBe(0);
    expect(verifySignature(bytes(body), header, { ...wide, now: at(T - 3600) }).secretIndex).toBe(0);
    expect(rejectionCode(body, header, { ...wide, now: at(T + 3601) })).toBe("timestamp_outside_tolerance");

    const exact = { secrets: [SECRET], toleranceSeconds: 0 };
    expect(verifySignature(bytes(body), header, { ...exact, now: at(T) }).secretIndex).toBe(0);
    expect(rejectionCode(body, header, { ...exact, now: at(T + 1) })).toBe("timestamp_outside_tolerance");
  });

  it("puts the skew in seconds and its direction in the message", () => {
    const stale = rejectionOf(body, header, { secrets: [SECRET], now: at(T + 1234) });
    expect(stale.code).toBe("timestamp_outside_tolerance");
    expect(stale.message).toMatch(/\b1234 s\b/);
    expect(stale.message).toMatch(/older than/);
    expect(stale.message).toMatch(/\b300 s\b/);

    const ahead = rejectionOf(body, header, { secrets: [SECRET], toleranceSeconds: 60, now: at(T - 987) });
    expect(ahead.code).toBe("timestamp_outside_tolerance");
    expect(ahead.message).toMatch(/\b987 s\b/);
    expect(ahead.message).toMatch(/ahead of/);
    expect(ahead.message).toMatch(/\b60 s\b/);
    expect(ahead.message).not.toMatch(/-987/);
    expectNoSecretIn(ahead, [SECRET]);
  });

  it("reports any skew beyond the tolerance with its exact size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 301, max: 10 ** 9 }), fc.boolean(), (size, past) => {
        const error = rejectionOf(body, header, { secrets: [SECRET], now: at(past ? T + size : T - size) });
        expect(error.code).toBe("timestamp_outside_tolerance");
        expect(error.message).toContain(` ${size} s `);
      }),
    );
  });

  it("checks the signature before the timestamp: a forged, stale request hears signature_mismatch", () => {
    const forged = sign(body, { secret: OTHER, timestamp: T - 86_400 });
    expect(rejectionCode(body, forged, { secrets: [SECRET], now: at(T) })).toBe("signature_mismatch");
    const forgedAhead = sign(body, { secret: OTHER, timestamp: T + 86_400 });
    expect(rejectionCode(body, forgedAhead, { secrets: [SECRET], now: at(T) })).toBe("signature_mismatch");
    const garbled = `t=${T - 86_400},v1=${"f".repeat(64)}`;
    expect(rejectionCode(body, garbled, { secrets: [SECRET], now: at(T) })).toBe("signature_mismatch");
  });

  it("does not accept a valid signature moved to a fresher timestamp", () => {
    const old = sign(body, { secret: SECRET, timestamp: T - 3600 });
    const moved = old.replace(`t=${T - 3600}`, `t=${T}`);
    expect(rejectionCode(body, moved, { secrets: [SECRET], now: at(T) })).toBe("signature_mismatch");
  });
});
