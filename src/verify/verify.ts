import { timingSafeEqual } from "node:crypto";
import { SignatureError } from "../errors.js";
import { explainMismatch } from "./diagnose.js";
import { parseSignatureHeader } from "./header.js";
import { computeSignature } from "./sign.js";

export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyOptions {
  /** Every secret currently valid for this endpoint: during a rotation, the old and the new. */
  secrets: readonly string[];
  toleranceSeconds?: number;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
  /**
   * Explain a mismatch (re-serialised body, missing whsec_ prefix, ...) in its message (default true). A caller
   * that verifies again after reloading its secrets skips it the first time: it costs more than the check.
   */
  explainMismatch?: boolean;
}

export interface VerifiedSignature {
  timestamp: number;
  /** Which of `secrets` matched, so operators can tell when an old secret stops being used. */
  secretIndex: number;
}

/**
 * Checks a `Stripe-Signature` header against the raw body bytes. The signature is checked before the
 * timestamp so that a forged request learns nothing about our clock.
 */
export function verifySignature(
  body: Uint8Array,
  header: string | null,
  {
    secrets,
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    now = unixNow,
    explainMismatch: explain = true,
  }: VerifyOptions,
): VerifiedSignature {
  const parsed = parseSignatureHeader(header);
  const candidates = parsed.v1.map(decodeHexSignature).filter((signature) => signature !== null);
  const secretIndex = secrets.findIndex((secret) => {
    const expected = computeSignature(body, secret, parsed.timestamp);
    // Check every candidate, not the first hit only, so timing does not reveal which one matched.
    return candidates.reduce((matched, candidate) => timingSafeEqual(expected, candidate) || matched, false);
  });
  if (secretIndex === -1) {
    throw new SignatureError(
      "signature_mismatch",
      explain
        ? explainMismatch(body, parsed, secrets)
        : `No signature matched the ${secrets.length} configured secret(s).`,
    );
  }
  const skew = now() - parsed.timestamp;
  if (Math.abs(skew) > toleranceSeconds) {
    const direction = skew > 0 ? "older than" : "ahead of";
    throw new SignatureError(
      "timestamp_outside_tolerance",
      `The signature is valid but its timestamp is ${Math.abs(skew)} s ${direction} this server's clock (tolerance ${toleranceSeconds} s). ` +
        "Check the server clock (NTP); if requests are queued before reaching us, raise the tolerance.",
    );
  }
  return { timestamp: parsed.timestamp, secretIndex };
}

/**
 * The explained `signature_mismatch` for a body that verifySignature, told not to explain, found signed by none of
 * `secrets`: for a caller that reloaded its secrets, found the same ones, and so has nothing to check again.
 */
export function explainedMismatch(body: Uint8Array, header: string | null, secrets: readonly string[]): SignatureError {
  return new SignatureError("signature_mismatch", explainMismatch(body, parseSignatureHeader(header), secrets));
}

function decodeHexSignature(value: string): Buffer | null {
  return /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : null;
}

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
