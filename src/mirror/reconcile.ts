import type Stripe from "stripe";
import { type Clock, systemClock } from "../clock.js";
import { parseEvent } from "../inbox/parse-event.js";
import { createDeliveryRecorder } from "../inbox/record-deliveries.js";
import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { actingAs, checkAccounts, PLATFORM } from "./accounts.js";

/** Stripe keeps events for 30 days: `GET /v1/events` lists nothing older. */
export const EVENT_RETENTION_MS = 30 * 86_400_000;
const PAGE_SIZE = 100;

export interface ReconcileResult {
  /** Events Stripe listed since the given time. */
  listed: number;
  alreadyStored: number;
  /** Events the inbox did not have, now stored so that its handlers run. */
  inserted: number;
  /** The time listed from: `since`, or 30 days ago when `since` is older. */
  since: Date;
}

/** What `inbox.reconcile` takes. */
export interface ReconcileOptions {
  /** Events created since then; Stripe keeps 30 days, so an older time is cut to that. */
  since: Date;
  /** '' for the platform's events (the default), `acct_...` for a connected account's, listed with `Stripe-Account`. */
  accounts?: readonly string[] | undefined;
  /** Told after each page, with the counts so far. */
  onPage?: ((result: ReconcileResult) => void) | undefined;
}

/**
 * Pages through the events Stripe has since `since` and stores those the inbox missed (a delivery that never
 * arrived, an endpoint that was down longer than Stripe retries), through the receive path's own insert, so
 * they are deduplicated against deliveries arriving meanwhile and their handlers run. The delivery log marks
 * them with source `reconcile`. Each page is an API call first, then a short write: never one inside the other.
 */
export async function reconcile(
  store: Store,
  stripe: Stripe,
  options: ReconcileOptions & { clock?: Clock },
): Promise<ReconcileResult> {
  const now = options.clock ?? systemClock;
  const oldest = new Date(now().getTime() - EVENT_RETENTION_MS);
  const since = options.since < oldest ? oldest : options.since;
  const result: ReconcileResult = { listed: 0, alreadyStored: 0, inserted: 0, since };
  const recorder = createDeliveryRecorder(store);
  const stored = `SELECT id FROM ${quoteIdent(store.schema)}.events WHERE id = ANY($1::text[])`;
  try {
    for (const account of checkAccounts(options.accounts ?? [PLATFORM])) {
      let startingAfter: string | undefined;
      for (;;) {
        const page = await stripe.events.list(
          {
            created: { gte: Math.floor(since.getTime() / 1000) },
            limit: PAGE_SIZE,
            ...(startingAfter !== undefined && { starting_after: startingAfter }),
          },
          actingAs(account),
        );
        const known = new Set(
          (await store.query<{ id: string }>(stored, [page.data.map((event) => event.id)])).map((row) => row.id),
        );
        const missing = page.data.filter((event) => !known.has(event.id));
        const recorded = await Promise.all(
          missing.map((event) => {
            // A connected account's event names it, as its delivery to a Connect endpoint would.
            const body = Buffer.from(JSON.stringify(account === PLATFORM ? event : { ...event, account }));
            return recorder.submit({
              receivedAt: now(),
              bodyBytes: body.byteLength,
              sourceAddress: "reconcile",
              signatureTimestamp: null,
              event: { envelope: parseEvent(body).envelope, body },
              rejection: null,
            });
          }),
        );
        const inserted = recorded.filter((outcome) => !outcome.duplicate).length;
        result.listed += page.data.length;
        result.inserted += inserted;
        // A delivery that arrived between the check and the insert is a duplicate, so already stored.
        result.alreadyStored += page.data.length - inserted;
        options.onPage?.({ ...result });
        const last = page.data.at(-1);
        if (!page.has_more || last === undefined) break;
        startingAfter = last.id;
      }
    }
  } finally {
    await recorder.drain();
  }
  return result;
}
