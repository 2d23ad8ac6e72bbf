import { ConfigError } from "../errors.js";

/**
 * The mirror setting of `serve` and `worker`: `--mirror [schema]`, else STRIPE_INBOX_MIRROR (`1`/`true` for
 * schema `stripe`, or a schema name; `0`/`false`/empty for off).
 */
export function mirrorSetting(
  flag: string | boolean | undefined,
  env: string | undefined = process.env.STRIPE_INBOX_MIRROR,
): false | { schema?: string } {
  const value = flag ?? env?.trim();
  if (value === undefined || value === false || value === "" || value === "0" || value === "false") return false;
  if (value === true || value === "1" || value === "true") return {};
  return { schema: value };
}

/**
 * `--revalidate subscriptions,invoices`, else STRIPE_INBOX_MIRROR_REVALIDATE, added to the mirror setting; it
 * needs the mirror on. The types and STRIPE_API_KEY are checked when the inbox is created.
 */
export function withRevalidation(
  mirror: false | { schema?: string },
  flag: string | undefined,
  env: string | undefined = process.env.STRIPE_INBOX_MIRROR_REVALIDATE,
): false | { schema?: string; revalidate?: string[] } {
  const types = (flag ?? env ?? "")
    .split(",")
    .map((type) => type.trim())
    .filter((type) => type !== "");
  if (types.length === 0) return mirror;
  if (!mirror) {
    throw new ConfigError("--revalidate (STRIPE_INBOX_MIRROR_REVALIDATE) needs the mirror: add --mirror.");
  }
  return { ...mirror, revalidate: types };
}
