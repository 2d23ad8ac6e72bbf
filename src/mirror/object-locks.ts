import { createHash } from "node:crypto";
import type { Queryable } from "../store/store.js";

const SAVEPOINT = "stripe_inbox_mirror";
/** SQLSTATE deadlock_detected and serialization_failure: the statement lost a race and may simply run again. */
const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 5;

/** A 64-bit advisory lock key for one object, as a decimal literal (it is computed here, never user text). */
export function objectLockKey(schema: string, table: string, account: string, id: string): bigint {
  return createHash("sha1").update(`${schema}\0${table}\0${account}\0${id}`).digest().readBigInt64BE(0);
}

/**
 * Runs `work` after taking the objects' advisory locks in ascending key order, inside a savepoint: a
 * transaction only ever waits for a lower key than it holds, so two mirror writes cannot deadlock each other,
 * and a deadlock or serialization failure caused by anything else rolls back to the savepoint and tries again
 * instead of failing the whole run. The locks last until the run's transaction ends.
 */
export async function withObjectLocks<T>(tx: Queryable, keys: readonly bigint[], work: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const locks = sorted.map((key) => `SELECT pg_advisory_xact_lock(${key.toString()});`).join("\n");
  for (let attempt = 1; ; attempt++) {
    try {
      // One round trip: the savepoint and the locks, in the simple protocol.
      await tx.exec(`SAVEPOINT ${SAVEPOINT};\n${locks}`);
      return await work();
    } catch (error) {
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      await tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

export function isRetryable(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && RETRYABLE.has(code);
}
