import Stripe from "stripe";
import { type Clock, systemClock } from "../clock.js";
import { ConfigError } from "../errors.js";
import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { actingAs, checkAccounts, PLATFORM } from "./accounts.js";
import { createMirror } from "./apply.js";

const PAGE_SIZE = 100;

interface ListPage {
  data: Array<{ id: string; object: string }>;
  has_more: boolean;
}
type Lister = (
  stripe: Stripe,
  params: Stripe.PaginationParams & { created?: { gte: number } },
  options: Stripe.RequestOptions,
) => Promise<ListPage>;

/** The object types backfill lists, by mirror table, and the list call for each. */
const LISTERS: Record<string, Lister> = {
  products: (stripe, params, options) => stripe.products.list(params, options),
  prices: (stripe, params, options) => stripe.prices.list(params, options),
  customers: (stripe, params, options) => stripe.customers.list(params, options),
  // Without `status: all`, canceled subscriptions are left out.
  subscriptions: (stripe, params, options) => stripe.subscriptions.list({ ...params, status: "all" }, options),
  invoices: (stripe, params, options) => stripe.invoices.list(params, options),
  payment_intents: (stripe, params, options) => stripe.paymentIntents.list(params, options),
  charges: (stripe, params, options) => stripe.charges.list(params, options),
  refunds: (stripe, params, options) => stripe.refunds.list(params, options),
  disputes: (stripe, params, options) => stripe.disputes.list(params, options),
  setup_intents: (stripe, params, options) => stripe.setupIntents.list(params, options),
  checkout_sessions: (stripe, params, options) => stripe.checkout.sessions.list(params, options),
};
export const BACKFILL_TYPES = Object.keys(LISTERS);

/** The types asked for, or a ConfigError naming the ones backfill knows. */
export function checkBackfillTypes(types: readonly string[]): readonly string[] {
  const unknown = types.filter((type) => !(type in LISTERS));
  if (unknown.length > 0) {
    throw new ConfigError(`Cannot backfill ${unknown.join(", ")}; known types: ${BACKFILL_TYPES.join(", ")}.`);
  }
  return types;
}

export interface BackfillProgress {
  type: string;
  /** The connected account listed, when not the platform. */
  account?: string;
  /** Objects of this type written so far, this run. */
  written: number;
  /** True once the type's last page is written. */
  done: boolean;
  /** True when this type went on from a checkpoint an earlier, interrupted run left. */
  resumed: boolean;
}

/** What `inbox.backfill` takes. */
export interface BackfillOptions {
  /** Mirror tables to list (`customers`, ...): every type backfill knows by default. */
  types?: readonly string[] | undefined;
  /**
   * The accounts to list: '' for the platform's own objects (the default), `acct_...` for a connected account's,
   * listed with `Stripe-Account` and written under that account.
   */
  accounts?: readonly string[] | undefined;
  /** Only objects created since then. */
  since?: Date | undefined;
  /** Told after each page is written. */
  onProgress?: ((progress: BackfillProgress) => void) | undefined;
}

/**
 * Lists objects through the API, page by page, and writes each page to the mirror under the same ordering guard
 * as events: a listed object is a snapshot as of its page's request, so it replaces what events wrote before
 * that second and never what they wrote after (a same-second tie goes to the event). A page and its checkpoint
 * commit together, after the API call, so a run killed half-way goes on from its last page when run again.
 */
export async function backfill(
  store: Store,
  stripe: Stripe,
  options: BackfillOptions & { mirrorSchema: string; clock?: Clock },
): Promise<BackfillProgress[]> {
  const types = checkBackfillTypes(options.types ?? BACKFILL_TYPES);
  const clock = options.clock ?? systemClock;
  const since = options.since ? Math.floor(options.since.getTime() / 1000) : null;
  const mirror = createMirror(options.mirrorSchema);
  const checkpoints = `${quoteIdent(options.mirrorSchema)}._backfill_checkpoints`;
  const results: BackfillProgress[] = [];
  const keys: string[] = [];
  for (const account of checkAccounts(options.accounts ?? [PLATFORM])) {
    for (const type of types) {
      // A connected account's checkpoint is kept apart from the platform's under a key of its own.
      const key = account === PLATFORM ? type : `${account}/${type}`;
      keys.push(key);
      const [saved] = await store.query<{ since: string | null; starting_after: string | null; done: boolean }>(
        `SELECT since, starting_after, done FROM ${checkpoints} WHERE type = $1`,
        [key],
      );
      // A checkpoint counts only for the same --since: another range starts the type over.
      const usable = saved !== undefined && (saved.since === null ? null : Number(saved.since)) === since;
      const progress: BackfillProgress = {
        type,
        ...(account !== PLATFORM && { account }),
        written: 0,
        done: usable && saved.done,
        resumed: usable,
      };
      let startingAfter = usable ? (saved.starting_after ?? undefined) : undefined;
      while (!progress.done) {
        const asOf = Math.floor(clock().getTime() / 1000);
        const page = await LISTERS[type]?.(
          stripe,
          {
            limit: PAGE_SIZE,
            ...(since !== null && { created: { gte: since } }),
            ...(startingAfter !== undefined && { starting_after: startingAfter }),
          },
          actingAs(account),
        );
        if (!page) break;
        const last = page.data.at(-1)?.id;
        progress.done = !page.has_more || last === undefined;
        await store.transaction(async (tx) => {
          for (const object of page.data) {
            await mirror.apply(tx, {
              id: `backfill_${asOf}`,
              object: "event",
              type: "backfill",
              created: asOf,
              api_version: Stripe.API_VERSION,
              livemode: "livemode" in object && object.livemode === true,
              ...(account !== PLATFORM && { account }),
              data: { object },
            });
          }
          await tx.query(
            `INSERT INTO ${checkpoints} (type, since, starting_after, done) VALUES ($1, $2, $3, $4)
             ON CONFLICT (type) DO UPDATE SET since = $2, starting_after = $3, done = $4, updated_at = now()`,
            [key, since, last ?? startingAfter ?? null, progress.done],
          );
        });
        progress.written += page.data.length;
        startingAfter = last;
        options.onProgress?.({ ...progress });
      }
      results.push(progress);
    }
  }
  // Complete: the next backfill lists everything again.
  await store.query(`DELETE FROM ${checkpoints} WHERE type = ANY($1::text[])`, [keys]);
  return results;
}
