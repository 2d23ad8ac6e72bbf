import { expect } from "vitest";
import { SignatureError, type SignatureErrorCode } from "../../src/errors.js";
import { type VerifiedSignature, type VerifyOptions, verifySignature } from "../../src/verify/verify.js";

const utf8 = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Runs verifySignature and returns its SignatureError; fails the test when it passes or throws anything else. */
export function rejectionOf(body: string | Uint8Array, header: string | null, options: VerifyOptions): SignatureError {
  let outcome: VerifiedSignature;
  try {
    outcome = verifySignature(typeof body === "string" ? bytes(body) : body, header, options);
  } catch (error) {
    if (error instanceof SignatureError) return error;
    throw new Error(`expected a SignatureError, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a rejection, but the signature verified: ${JSON.stringify(outcome)}`);
}

/** The rejection's code, after checking that its message leaks none of the configured secrets. */
export function rejectionCode(
  body: string | Uint8Array,
  header: string | null,
  options: VerifyOptions,
): SignatureErrorCode {
  const error = rejectionOf(body, header, options);
  expectNoSecretIn(error, options.secrets);
  return error.code as SignatureErrorCode;
}

/** A rejection is answered to whoever sent the request: it must never carry a configured secret, whole or without whsec_. */
export function expectNoSecretIn(error: SignatureError, secrets: readonly string[]): void {
  expect(error.status).toBe(400);
  const answered = `${error.code} ${error.message} ${JSON.stringify({ error: { code: error.code, message: error.message } })}`;
  for (const secret of secrets) {
    expect(answered).not.toContain(secret);
    const bare = secret.replace(/^whsec_/, "");
    if (bare.length >= 8) expect(answered).not.toContain(bare);
  }
}
