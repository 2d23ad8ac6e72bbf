import type Stripe from "stripe";
import type { AccountStores } from "./accounts.js";
import type { EventLog } from "./events.js";
import { dropExpiredAnswers } from "./idempotency.js";
import type { JournalLine, SavedAnswer } from "./journal.js";

/** What the journal keeps: every account's objects (events included), the event log's order and idempotent answers. */
export interface PersistentState {
  accounts: AccountStores;
  events: EventLog;
  idempotent: Map<string, SavedAnswer>;
}

/**
 * Rebuilds the state from the journal's lines, oldest first; a later line's object replaces an earlier one's.
 * Idempotent answers whose keys expired by `now` are left out, so compaction drops them.
 */
export function replayJournal(lines: readonly JournalLine[], state: PersistentState, now: number): void {
  for (const line of lines) {
    for (const write of line.w ?? []) {
      const store = state.accounts.store(write.a);
      if ("d" in write) {
        store.restoreRemoval(write.d);
      } else if (store.restore(write.o) && write.o.object === "event") {
        state.events.all.push(write.o as unknown as Stripe.Event);
      }
    }
    if (line.k) {
      // A journal written before answers were dated: their keys' 24 hours run from this start.
      const [key, answer] = line.k;
      state.idempotent.set(key, { ...answer, savedAt: answer.savedAt ?? now });
    }
  }
  dropExpiredAnswers(state.idempotent, now);
}

/** The state as few lines replay it to: each account's objects in creation order, then events in the log's order. */
export function* journalSnapshot(state: PersistentState): Generator<JournalLine> {
  for (const [account, store] of state.accounts.all()) {
    const { live, deleted } = store.contents();
    for (const object of live) if (object.object !== "event") yield { w: [{ a: account, o: object }] };
    for (const object of deleted)
      yield {
        w: [
          { a: account, o: object },
          { a: account, d: object.id },
        ],
      };
  }
  for (const event of state.events.all) yield { w: [{ a: event.account ?? null, o: event }] };
  for (const answer of state.idempotent) yield { k: answer };
}
