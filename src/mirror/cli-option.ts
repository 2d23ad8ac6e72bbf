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
