import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { LOCK_NOT_AVAILABLE, sqlstateOf } from "../store/unavailable.js";

const BARRIER_ATTEMPTS = 10;
const BARRIER_RETRY_MS = 1_000;

/**
 * Returns once every insert into the events table that was in flight has committed or rolled back: prune marks ids
 * after this, so a delivery whose statement began earlier is either seen or began after the call. Taking, and at
 * once releasing, a lock that waits for those inserts does it; new deliveries wait for it only as long as the inserts
 * already running, and never more than its lock_timeout. PGlite runs one statement at a time: nothing can be in
 * flight there.
 */
export async function waitForInsertsInFlight(store: Store): Promise<void> {
  if (store.engine === "pglite") return;
  const barrier = `SET LOCAL lock_timeout = '200ms'; LOCK TABLE ${quoteIdent(store.schema)}.events IN SHARE MODE;`;
  for (let attempt = 1; ; attempt++) {
    try {
      await store.transaction((tx) => tx.exec(barrier));
      return;
    } catch (error) {
      // Deliveries queue behind the waiting lock: it gives up quickly (lock_timeout) and tries again a little later.
      if (sqlstateOf(error) !== LOCK_NOT_AVAILABLE || attempt >= BARRIER_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, BARRIER_RETRY_MS));
    }
  }
}
