import { StoreUnavailableError } from "../errors.js";

/**
 * SQLSTATE classes that mean "the database cannot serve us right now", as opposed to "this statement is wrong":
 * 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown), 58 system error.
 */
const UNAVAILABLE_CLASSES = new Set(["08", "53", "57", "58"]);

/** Driver errors without a SQLSTATE are socket and pool failures: the server is out of reach. */
export function isStoreUnavailable(error: unknown): boolean {
  const sqlstate = sqlstateOf(error);
  return sqlstate === null || UNAVAILABLE_CLASSES.has(sqlstate.slice(0, 2));
}

/** SQLSTATE of a lock not taken within lock_timeout: the statements that set one try again a little later. */
export const LOCK_NOT_AVAILABLE = "55P03";

export function sqlstateOf(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function toStoreUnavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const sqlstate = sqlstateOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(
    `The store could not commit${sqlstate ? ` (SQLSTATE ${sqlstate})` : ""}: ${detail}. Nothing was acknowledged; Stripe will retry.`,
    { cause: error },
  );
}
