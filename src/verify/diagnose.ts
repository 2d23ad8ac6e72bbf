import { timingSafeEqual } from "node:crypto";
import type { SignatureHeader } from "./header.js";
import { computeSignature } from "./sign.js";

const SECRET_PREFIX = "whsec_";
const utf8 = new TextDecoder("utf-8", { fatal: false });
const OBJECT_TEXT = "[object Object]";
/**
 * The re-serialisation check parses, re-indents and re-signs the body of a request nobody has authenticated, which
 * costs many times what verifying it does. Only bodies up to this size get it (a body parser's default limit,
 * express.json()'s, is 100 KB), so that a forged body costs at most a small multiple of verifying the largest.
 */
export const RESERIALISATION_CHECK_MAX_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const COMPACT_EVENT_START = Buffer.from('{"id":"evt_');

/**
 * Says why no configured secret produced the signature. Runs only on the failure path, so it may
 * recompute signatures over reconstructed bodies to turn a guess into a diagnosis.
 */
export function explainMismatch(body: Uint8Array, header: SignatureHeader, secrets: readonly string[]): string {
  const matches = (candidateBody: string | Uint8Array, secret: string) => {
    const expected = computeSignature(candidateBody, secret, header.timestamp);
    return header.v1.some((hex) => /^[0-9a-f]{64}$/i.test(hex) && timingSafeEqual(expected, Buffer.from(hex, "hex")));
  };

  const unprefixed = secrets.filter((secret) => !secret.startsWith(SECRET_PREFIX));
  if (unprefixed.some((secret) => matches(body, SECRET_PREFIX + secret))) {
    return "No signature matched: a configured secret is missing its whsec_ prefix. Use the whole value Stripe shows, whsec_ included.";
  }

  if (body.byteLength === OBJECT_TEXT.length && utf8.decode(body) === OBJECT_TEXT) {
    return "No signature matched: the body is the text [object Object], so an already-parsed object was converted to a string before stripe-inbox. Pass the raw request bytes.";
  }
  const reserialised = explainReserialisation(body, (candidate) =>
    secrets.some((secret) => matches(candidate, secret)),
  );
  if (reserialised) return reserialised;

  const prefixHint =
    unprefixed.length > 0 ? " Also, a configured secret does not start with whsec_: copy the whole value." : "";
  return (
    `No signature matched the ${secrets.length} configured secret(s). The secret most likely belongs to another endpoint: ` +
    "`stripe listen` prints its own whsec_ secret, different from the Dashboard endpoint's, and test and live mode endpoints have different secrets. " +
    `Set STRIPE_WEBHOOK_SECRET to this endpoint's secret (comma-separate several during a rotation).${prefixHint}`
  );
}

/** Stripe sends pretty-printed JSON; a compact or re-indented body means a JSON body parser ran first. */
function explainReserialisation(body: Uint8Array, signedByUs: (candidate: string) => boolean): string | null {
  if (firstNonSpace(body) !== OPEN_BRACE) return null;
  const advice =
    "Mount the webhook route before any JSON body parser (e.g. express.json()), or give it the raw body (express.raw({ type: 'application/json' })).";
  if (body.byteLength <= RESERIALISATION_CHECK_MAX_BYTES && signedByUs(reindented(utf8.decode(body)) ?? "")) {
    return `No signature matched: the body was parsed and re-serialised before it reached stripe-inbox; the signature matches Stripe's original formatting. ${advice}`;
  }
  // Stripe's bodies always span many lines; JSON.stringify's never do (newlines inside strings are escaped), and
  // it keeps Stripe's key order, id first.
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.subarray(0, COMPACT_EVENT_START.length).equals(COMPACT_EVENT_START) && !bytes.includes(NEWLINE)) {
    return `No signature matched, and the body is compact JSON while Stripe sends indented JSON: it was probably parsed and re-serialised before it reached stripe-inbox. ${advice}`;
  }
  return null;
}

/** The text as Stripe formats JSON (two-space indentation), or null when it is not JSON or would grow absurdly. */
function reindented(text: string): string | null {
  // Re-indenting adds two characters per nesting level to every value: little for Stripe's shallow objects, but
  // 32 MB for an 8 KB [[[[...]]]] (or a stack overflow).
  if (indentationCost(text) > 4 * text.length + 65_536) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

function firstNonSpace(body: Uint8Array): number | undefined {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  return undefined;
}

/** About how many characters JSON.stringify(parsed, null, 2) would add to `text`: a line and its indentation per value. */
function indentationCost(text: string): number {
  let cost = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") cost += 2 * ++depth + 1;
    else if (char === "]" || char === "}") cost += 2 * Math.max(--depth, 0) + 1;
    else if (char === ",") cost += 2 * depth + 1;
  }
  return cost;
}
