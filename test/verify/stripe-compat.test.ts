import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { SignatureError } from "../../src/errors.js";
import { sign } from "../../src/verify/sign.js";
import { verifySignature } from "../../src/verify/verify.js";
import { bytes } from "./rejections.js";

// The official library is the reference implementation of the scheme: we must agree with it both ways.
const stripe = new Stripe("sk_test_x");
const TOLERANCE = 300;

/** Stripe's answer for a delivery received at `receivedAt` (unix seconds): accepted, or rejected for its signature. */
function stripeAccepts(payload: string, header: string, secret: string, receivedAt: number): boolean {
  try {
    stripe.webhooks.constructEvent(payload, header, secret, TOLERANCE, undefined, receivedAt * 1000);
    return true;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw error;
  }
}

/** Our answer for the same delivery; anything thrown other than a SignatureError fails the test. */
function weAccept(payload: string, header: string, secrets: readonly string[], receivedAt: number): boolean {
  try {
    verifySignature(bytes(payload), header, { secrets, toleranceSeconds: TOLERANCE, now: () => receivedAt });
    return true;
  } catch (error) {
    if (error instanceof SignatureError) return false;
    throw error;
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(
    "",
    "Grüße",
    "東京タワー",
    "🎉👩‍👩‍👧‍👦",
    "line\nbreak\r\n",
    'quote " and \\ backslash',
    "\u2028\u2029",
  ),
);

/** A Stripe-shaped event, pretty-printed as Stripe sends it, from a few bytes to tens of kilobytes. */
const payload = fc
  .record({
    id: fc.stringMatching(/^evt_[A-Za-z0-9]{14,24}$/),
    type: fc.constantFrom("customer.created", "invoice.paid", "payment_intent.succeeded", "something.new"),
    created: fc.integer({ min: 1_300_000_000, max: 2_000_000_000 }),
    livemode: fc.boolean(),
    description: text,
    metadata: fc.dictionary(fc.string({ maxLength: 20 }), text, { maxKeys: 12 }),
    extra: fc.oneof(fc.jsonValue(), fc.constant(null)),
    padding: fc.nat({ max: 40_000 }).map((length) => "x".repeat(length)),
  })
  .map((fields) =>
    JSON.stringify({ object: "event", ...fields, data: { object: { metadata: fields.metadata } } }, null, 2),
  );

const anyJson = fc.oneof(
  payload,
  fc.json(),
  fc.json().map((json) => JSON.stringify(JSON.parse(json), null, 2)),
);

const secret = fc.oneof(
  fc.stringMatching(/^whsec_[A-Za-z0-9]{32}$/),
  fc.string({ minLength: 1, maxLength: 60 }).map((suffix) => `whsec_${suffix}`),
);

const timestamp = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe("agreement with the official stripe package", () => {
  it("verifies every header that stripe.webhooks.generateTestHeaderString makes", () => {
    fc.assert(
      fc.property(anyJson, secret, timestamp, (body, key, t) => {
        const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: key, timestamp: t });
        expect(verifySignature(bytes(body), header, { secrets: [key], now: () => t })).toEqual({
          timestamp: t,
          secretIndex: 0,
        });
      }),
    );
  });

  it("makes with sign() the very header that stripe makes", () => {
    fc.assert(
      fc.property(anyJson, secret, timestamp, (body, key, t) => {
        const ours = sign(body, { secret: key, timestamp: t });
        expect(ours).toBe(stripe.webhooks.generateTestHeaderString({ payload: body, secret: key, timestamp: t }));
        expect(sign(bytes(body), { secret: key, timestamp: t })).toBe(ours);
      }),
    );
  });

  it("signs with sign() what stripe.webhooks.constructEvent accepts, and returns the same event", () => {
    fc.assert(
      fc.property(anyJson, secret, timestamp, (body, key, t) => {
        const header = sign(body, { secret: key, timestamp: t });
        const event = stripe.webhooks.constructEvent(body, header, key, TOLERANCE, undefined, t * 1000);
        expect(event).toEqual(JSON.parse(body));
        const fromBytes = stripe.webhooks.constructEvent(
          Buffer.from(body),
          header,
          key,
          TOLERANCE,
          undefined,
          t * 1000,
        );
        expect(fromBytes).toEqual(JSON.parse(body));
      }),
    );
  });

  it("signs with the current time by default, which stripe accepts at its default tolerance", () => {
    fc.assert(
      fc.property(payload, secret, (body, key) => {
        const event = stripe.webhooks.constructEvent(body, sign(body, { secret: key }), key);
        expect(event.id).toBe(JSON.parse(body).id);
      }),
      { numRuns: 20 },
    );
  });

  it("makes rotation headers that stripe accepts with either secret", () => {
    fc.assert(
      fc.property(payload, secret, secret, timestamp, (body, current, previous, t) => {
        const header = sign(body, { secret: current, timestamp: t, alsoSignWith: [previous] });
        expect(stripeAccepts(body, header, current, t)).toBe(true);
        expect(stripeAccepts(body, header, previous, t)).toBe(true);
        expect(weAccept(body, header, [previous], t)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  type Tampering = (body: string, header: string, t: number) => { body: string; header: string; receivedAt: number };
  const tamperings: Record<string, fc.Arbitrary<Tampering>> = {
    "a changed body byte": fc.nat().map((at) => (body, header, t) => {
      const index = at % body.length;
      const replacement = body[index] === "a" ? "b" : "a";
      return { body: body.slice(0, index) + replacement + body.slice(index + 1), header, receivedAt: t };
    }),
    "a truncated body": fc.nat().map((cut) => (body, header, t) => ({
      body: body.slice(0, cut % body.length),
      header,
      receivedAt: t,
    })),
    "trailing whitespace added to the body": fc
      .constantFrom(" ", "\n", "\r\n", "\t")
      .map((tail) => (body, header, t) => ({ body: body + tail, header, receivedAt: t })),
    "the body re-serialised compactly": fc.constant((body, header, t) => ({
      body: JSON.stringify(JSON.parse(body)),
      header,
      receivedAt: t,
    })),
    "a flipped hex digit in v1": fc.nat({ max: 63 }).map((at) => (body, header, t) => {
      const [stamp, signature = ""] = header.split(",v1=");
      const digit = signature[at] === "0" ? "1" : "0";
      return { body, header: `${stamp},v1=${signature.slice(0, at)}${digit}${signature.slice(at + 1)}`, receivedAt: t };
    }),
    "a moved timestamp": fc
      .integer({ min: -TOLERANCE, max: TOLERANCE })
      .filter((shift) => shift !== 0)
      .map((shift) => (body, header, t) => ({
        body,
        header: header.replace(`t=${t},`, `t=${t + shift},`),
        receivedAt: t,
      })),
    "the signature sent as v0": fc.constant((body, header, t) => ({
      body,
      header: header.replace(",v1=", ",v0="),
      receivedAt: t,
    })),
    "a stale delivery": fc
      .integer({ min: TOLERANCE + 1, max: 10 ** 7 })
      .map((age) => (body, header, t) => ({ body, header, receivedAt: t + age })),
    "the t= part removed": fc.constant((body, header, t) => ({
      body,
      header: header.replace(`t=${t},`, ""),
      receivedAt: t,
    })),
  };

  for (const [name, tampering] of Object.entries(tamperings)) {
    it(`rejects, as stripe does, ${name}`, () => {
      fc.assert(
        fc.property(payload, secret, timestamp, tampering, (body, key, t, tamper) => {
          const original = stripe.webhooks.generateTestHeaderString({ payload: body, secret: key, timestamp: t });
          const forged = tamper(body, original, t);
          fc.pre(forged.body !== body || forged.header !== original || forged.receivedAt !== t);
          expect(stripeAccepts(forged.body, forged.header, key, forged.receivedAt)).toBe(false);
          expect(weAccept(forged.body, forged.header, [key], forged.receivedAt)).toBe(false);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("rejects, as stripe does, a signature made with another secret", () => {
    fc.assert(
      fc.property(payload, secret, secret, timestamp, (body, signer, holder, t) => {
        fc.pre(signer !== holder);
        const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: signer, timestamp: t });
        expect(stripeAccepts(body, header, holder, t)).toBe(false);
        expect(weAccept(body, header, [holder], t)).toBe(false);
        expect(weAccept(body, header, [holder, signer], t)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
