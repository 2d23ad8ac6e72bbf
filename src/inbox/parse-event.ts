import { PayloadError } from "../errors.js";

/** What the inbox indexes of an event; the verified body itself is stored byte for byte. */
export interface EventEnvelope {
  id: string;
  type: string;
  /** `event` for snapshot events, `v2.core.event` for thin events from event destinations. */
  object: string;
  apiVersion: string | null;
  created: Date;
  livemode: boolean;
  /** The Connect account the event happened on, or null for the platform's own. */
  account: string | null;
  /** `data.object.id` of a snapshot event, or `related_object.id` of a thin event. */
  objectId: string | null;
  objectType: string | null;
}

const EVENT_OBJECTS = new Set(["event", "v2.core.event"]);
const MAX_ID_LENGTH = 255;
const LATEST_TIME = Date.UTC(10000, 0, 1);
/**
 * Stripe's events nest a dozen levels. PGlite's WASM stack overflows near 5,000 (the instance then answers
 * queries with empty results); Postgres fails deeper with 54001: a 503 that Stripe would retry for days.
 */
const MAX_NESTING = 512;
const LONE_SURROGATE = /\p{Cs}/u;
// ignoreBOM keeps a byte order mark in the text instead of dropping it silently: it is refused below, by bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes and checks a verified body; the text is returned so the store keeps Stripe's exact bytes. */
export function parseEvent(body: Uint8Array): { envelope: EventEnvelope; text: string } {
  const encoding = encodingProblem(body);
  if (encoding) throw notUtf8(encoding);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw notUtf8("it is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PayloadError("payload_malformed", `The body is not valid JSON: ${(cause as Error).message}.`);
  }
  if (nestsDeeperThan(body, MAX_NESTING)) throw notAnEvent(`it nests deeper than ${MAX_NESTING} levels`);
  return { envelope: toEnvelope(value), text };
}

/**
 * Stripe sends UTF-8 without a byte order mark. A body that verifies but is encoded otherwise was made by something
 * else, and Postgres refuses some of it (a BOM before the JSON, NUL bytes): stored, it would fail every delivery.
 */
function encodingProblem(body: Uint8Array): string | null {
  const [first, second, third] = body;
  if (first === 0xef && second === 0xbb && third === 0xbf) return "it starts with a UTF-8 byte order mark (EF BB BF)";
  if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) {
    return "it starts with a UTF-16 byte order mark";
  }
  if (Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(0)) {
    return "it contains NUL bytes, as UTF-16 or UTF-32 text and binary data do";
  }
  return null;
}

function notUtf8(reason: string): PayloadError {
  return new PayloadError(
    "payload_encoding_invalid",
    `The body is not UTF-8 JSON as Stripe sends it: ${reason}. Stripe never sends this; whatever produced or re-encoded the request (a script, a proxy) must pass the bytes through unchanged.`,
  );
}

/**
 * `body` is valid JSON here, so brackets outside strings are structure. Read as bytes, not as the decoded text: in
 * UTF-8 no byte of a multi-byte character is ASCII, so quotes, backslashes and brackets are found alike, faster.
 */
function nestsDeeperThan(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === 0x22) {
      // To the string's closing quote; an escaped character is skipped, so `\"` does not end it.
      for (i++; i < body.length; i++) {
        const inString = body[i];
        if (inString === 0x5c) i++;
        else if (inString === 0x22) break;
      }
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

function toEnvelope(value: unknown): EventEnvelope {
  if (!isRecord(value)) throw notAnEvent("the body is not a JSON object");
  const { id, type, object, created, livemode } = value;
  if (!isStorableText(id)) {
    throw notAnEvent(`"id" must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  if (typeof object !== "string" || !EVENT_OBJECTS.has(object)) {
    throw notAnEvent(`"object" must be "event" or "v2.core.event"`);
  }
  if (!isStorableText(type))
    throw notAnEvent(`"type" must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  const createdAt = toDate(created);
  if (createdAt === null) throw notAnEvent(`"created" must be unix seconds or an ISO 8601 time`);
  const related = object === "event" && isRecord(value.data) ? value.data.object : value.related_object;
  const relatedObject = isRecord(related) ? related : {};
  return {
    id,
    type,
    object,
    apiVersion: optionalString(value.api_version),
    created: createdAt,
    livemode: livemode === true,
    account: optionalString(value.account) ?? optionalString(value.context),
    objectId: optionalString(relatedObject.id),
    objectType: optionalString(relatedObject.object) ?? optionalString(relatedObject.type),
  };
}

function toDate(value: unknown): Date | null {
  const date =
    typeof value === "number" && Number.isFinite(value)
      ? new Date(value * 1000)
      : typeof value === "string"
        ? new Date(value)
        : null;
  // Bounded so that a signed but absurd value cannot fail the batch insert (Postgres range) forever.
  const time = date?.getTime() ?? Number.NaN;
  return time >= 0 && time < LATEST_TIME ? date : null;
}

function optionalString(value: unknown): string | null {
  return isStorableText(value) ? value : null;
}

/**
 * Postgres text cannot hold U+0000; JSON can. Rejected here so that one such event cannot fail a whole batch.
 * A lone surrogate (`"\ud800"`) would be stored as U+FFFD: another id than the one deduplicated and answered.
 */
function isStorableText(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value !== "" &&
    value.length <= MAX_ID_LENGTH &&
    !value.includes("\u0000") &&
    !LONE_SURROGATE.test(value)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function notAnEvent(reason: string): PayloadError {
  return new PayloadError("payload_not_event", `The JSON is not a Stripe event: ${reason}.`);
}
