import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RESERIALISATION_CHECK_MAX_BYTES } from "../../src/verify/diagnose.js";
import { sign } from "../../src/verify/sign.js";
import { eventBody, SECRET } from "../support/events.js";
import { expectNoSecretIn, rejectionOf } from "./rejections.js";

const T = 1_760_000_000;
const now = () => T;

/** The mismatch message for `received`, when Stripe signed `sent` with `signedWith` and we hold `secrets`. */
function mismatchMessage(sent: string, received: string, signedWith: string, secrets: readonly string[]): string {
  const error = rejectionOf(received, sign(sent, { secret: signedWith, timestamp: T }), { secrets, now });
  expect(error.code).toBe("signature_mismatch");
  expectNoSecretIn(error, [...secrets, signedWith]);
  return error.message;
}

const eventText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom("Grüße", "東京", "🎉", "a/b", "<script>", "\u2028"),
);
const events = fc
  .record({ description: eventText, note: eventText, padTo: fc.nat({ max: 20_000 }) })
  .map(({ description, note, padTo }) => eventBody({ description, metadata: { note } }, padTo));

describe("why a signature did not match", () => {
  it("says the body was parsed and re-serialised, naming express.json(), when it arrives compact", () => {
    fc.assert(
      fc.property(events, (body) => {
        const compact = JSON.stringify(JSON.parse(body));
        const message = mismatchMessage(body, compact, SECRET, [SECRET]);
        expect(message).toMatch(/parsed and re-serialised/);
        expect(message).toContain("express.json()");
        expect(message).toContain("express.raw(");
      }),
      { numRuns: 50 },
    );
  });

  it("says the same when the body was re-indented, and that the signature matches Stripe's formatting", () => {
    const body = eventBody();
    for (const reformatted of [
      JSON.stringify(JSON.parse(body), null, 4),
      JSON.stringify(JSON.parse(body), null, "\t"),
    ]) {
      const message = mismatchMessage(body, reformatted, SECRET, [SECRET]);
      expect(message).toMatch(/parsed and re-serialised/);
      expect(message).toContain("express.json()");
    }
    expect(mismatchMessage(body, JSON.stringify(JSON.parse(body), null, 4), SECRET, [SECRET])).toMatch(
      /matches Stripe's original formatting/,
    );
  });

  it("finds the re-serialisation behind any of several rotating secrets", () => {
    const body = eventBody();
    const message = mismatchMessage(body, JSON.stringify(JSON.parse(body)), SECRET, [
      "whsec_previous_0000000000",
      SECRET,
    ]);
    expect(message).toMatch(/parsed and re-serialised/);
  });

  it("diagnoses re-serialisation of nested objects and of text full of brackets", () => {
    let nested: Record<string, unknown> = { object: "line_item" };
    for (let level = 0; level < 40; level++) nested = { data: [nested], has_more: false };
    for (const body of [
      eventBody({ nested }),
      eventBody({ description: `${"[{".repeat(500)} \\" ${"{".repeat(500)}` }),
    ]) {
      expect(mismatchMessage(body, JSON.stringify(JSON.parse(body)), SECRET, [SECRET])).toMatch(
        /parsed and re-serialised/,
      );
    }
  });

  it("re-signs a re-serialised body only up to the size limit, and judges a larger one by its shape", () => {
    const small = eventBody({}, RESERIALISATION_CHECK_MAX_BYTES / 2);
    expect(mismatchMessage(small, JSON.stringify(JSON.parse(small)), SECRET, [SECRET])).toMatch(
      /matches Stripe's original formatting/,
    );
    // Anyone can send a large forged body: beyond the limit, no parse, re-indentation or signature over it.
    const large = eventBody({}, 2 * RESERIALISATION_CHECK_MAX_BYTES);
    const compact = mismatchMessage(large, JSON.stringify(JSON.parse(large)), SECRET, [SECRET]);
    expect(compact).toMatch(/compact JSON while Stripe sends indented JSON/);
    expect(compact).not.toMatch(/matches Stripe's original formatting/);
    const reindented = mismatchMessage(large, JSON.stringify(JSON.parse(large), null, 4), SECRET, [SECRET]);
    expect(reindented).toContain("stripe listen");
  });

  it("leaves the explanation out when asked to, for a caller that verifies again", () => {
    const body = eventBody();
    const error = rejectionOf(JSON.stringify(JSON.parse(body)), sign(body, { secret: SECRET, timestamp: T }), {
      secrets: [SECRET],
      now,
      explainMismatch: false,
    });
    expect(error.code).toBe("signature_mismatch");
    expect(error.message).not.toMatch(/re-serialised/);
  });

  it("says the whsec_ prefix is missing when the secret was configured without it", () => {
    const body = eventBody();
    const message = mismatchMessage(body, body, "whsec_Zk3uP9qLx2RmTb7", ["Zk3uP9qLx2RmTb7"]);
    expect(message).toMatch(/whsec_ prefix/);
    expect(message).toMatch(/missing/);
  });

  it("finds the missing prefix among several configured secrets", () => {
    const body = eventBody();
    const message = mismatchMessage(body, body, "whsec_Zk3uP9qLx2RmTb7", [SECRET, "Zk3uP9qLx2RmTb7"]);
    expect(message).toMatch(/missing its whsec_ prefix/);
  });

  it("blames another endpoint's secret, mentioning stripe listen, when the body is intact", () => {
    fc.assert(
      fc.property(events, fc.stringMatching(/^whsec_[A-Za-z0-9]{32}$/), (body, other) => {
        fc.pre(other !== SECRET);
        const message = mismatchMessage(body, body, other, [SECRET]);
        expect(message).toContain("stripe listen");
        expect(message).toMatch(/another endpoint/);
        expect(message).toContain("STRIPE_WEBHOOK_SECRET");
        expect(message).not.toMatch(/re-serialised|whsec_ prefix/);
      }),
      { numRuns: 30 },
    );
  });

  it("adds that a secret lacks whsec_ when the signature matches no form of any secret", () => {
    const body = eventBody();
    const message = mismatchMessage(body, body, "whsec_stripe_listen_secret_9999", ["Zk3uP9qLx2RmTb7"]);
    expect(message).toContain("stripe listen");
    expect(message).toMatch(/does not start with whsec_/);
  });

  it("says an object was converted to a string when the body is [object Object]", () => {
    const body = eventBody();
    const message = mismatchMessage(body, "[object Object]", SECRET, [SECRET]);
    expect(message).toMatch(/object was converted to a string/);
    expect(message).toMatch(/raw request bytes/);
  });

  it("gives a diagnosis for a body that is not JSON at all", () => {
    const message = mismatchMessage("hello", "hello!", SECRET, [SECRET]);
    expect(message).toContain("stripe listen");
  });

  it("still answers with a SignatureError for JSON too deeply nested to re-serialise", () => {
    for (const depth of [10_000, 200_000]) {
      const body = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      expect(mismatchMessage(body, body, "whsec_another_endpoint_000", [SECRET])).toContain("stripe listen");
      const objects = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      expect(mismatchMessage(objects, objects, "whsec_another_endpoint_000", [SECRET])).toContain("stripe listen");
    }
  });

  it("never puts a configured secret in any diagnosis", () => {
    const secrets = fc.uniqueArray(
      fc.oneof(
        fc.stringMatching(/^whsec_[A-Za-z0-9]{24,40}$/),
        fc.stringMatching(/^[A-Za-z0-9]{24,40}$/),
        fc.string({ minLength: 24, maxLength: 60 }).map((suffix) => `whsec_${suffix}`),
      ),
      { minLength: 1, maxLength: 4 },
    );
    const received = (body: string) =>
      fc.constantFrom(body, JSON.stringify(JSON.parse(body)), "[object Object]", "", `${body} `);
    fc.assert(
      fc.property(
        events.chain((body) => fc.tuple(fc.constant(body), received(body))),
        secrets,
        fc.nat(),
        fc.boolean(),
        ([sent, body], configured, pick, strip) => {
          const held = configured[pick % configured.length] ?? "";
          const signer = strip && !held.startsWith("whsec_") ? `whsec_${held}` : `${held}_elsewhere`;
          mismatchMessage(sent, body, signer, configured);
        },
      ),
      { numRuns: 100 },
    );
  });
});
