/**
 * What Postgres refuses to take as a parameter, checked before a query so that bad input is the caller's 400 and
 * not our 500: text holding NUL (SQLSTATE 22021), and timestamps it cannot parse from `toISOString()`.
 */

/** Text Postgres can hold: no NUL, and well-formed UTF-16 (a lone surrogate has no UTF-8 form). */
export function isPostgresText(value: string): boolean {
  return !value.includes("\0") && !LONE_SURROGATE.test(value);
}

/** With the `u` flag a surrogate pair is one code point: only a surrogate standing alone matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * `JSON.stringify(value)` as jsonb takes it. jsonb has no NUL and no lone surrogate, which `JSON.stringify` writes as
 * the escapes `\u0000` and `\udXXX` (a surrogate pair it writes as itself); each becomes U+FFFD. An escape counts
 * only after an even run of backslashes: `\\u0000` is a backslash and the text "u0000".
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes("\\u") ? text.replace(JSONB_REFUSED_ESCAPE, "$1\uFFFD") : text;
}

const JSONB_REFUSED_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/** Years 0001-9999: beyond them `toISOString()` writes `+010000-...` or `-000001-...`, which Postgres refuses. */
const EARLIEST_MS = new Date("0001-01-01T00:00:00.000Z").getTime();
const LATEST_MS = new Date("9999-12-31T23:59:59.999Z").getTime();

export function isPostgresTimestamp(date: Date): boolean {
  const time = date.getTime();
  return !Number.isNaN(time) && time >= EARLIEST_MS && time <= LATEST_MS;
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date or time (`2026-01-31`, `2026-01-31T12:00:00Z`, `...T12:00:00.123456+01:00`) that Postgres reads
 * as JavaScript does, or null. `Date.parse` alone is lenient where Postgres is not: it takes `10000`, `1` and
 * `2026-02-30` (as March 2nd). Without an offset a time is local and a date alone is UTC, as in JavaScript.
 */
export function parseIsoTimestamp(text: string): Date | null {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  if (month < 1 || month > 12 || day < 1 || day > lastDay.getUTCDate()) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = match[7];
  if (offset && offset !== "Z" && (Number(offset.slice(1, 3)) > 15 || Number(offset.slice(4)) > 59)) return null;
  const date = new Date(text);
  return isPostgresTimestamp(date) ? date : null;
}
