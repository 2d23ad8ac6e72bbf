import type Stripe from "stripe";
import type { Queryable } from "../store/store.js";
import type { HandlerRegistry } from "../worker/registry.js";
import { createMirror, type Mirror } from "./apply.js";
import { revalidate } from "./revalidate.js";
import { snapshotOf } from "./snapshot.js";
import { type TieRefetch, tieRefetcher } from "./tie-refetch.js";

/** The mirror's run records are keyed by this name: keep it stable. */
export const MIRROR_HANDLER_NAME = "stripe-inbox.mirror";

export interface MirrorHandlerOptions {
  /** Mirror tables whose snapshots are replaced by the object fetched from the API, and the client to fetch with. */
  revalidate?: { types: ReadonlySet<string>; stripe: () => Stripe };
  /** With an API key: an event tied to the stored row's second gets the object as the API has it now. */
  refetchTies?: TieRefetch;
  /** The store outside any run's transaction (see MirrorOptions.store). */
  store?: () => Promise<Queryable>;
}

/**
 * Registers the mirror as a handler for every event: each event's object is written with the run's success (a
 * deferred write, committed in a batch with other runs'), so exactly once, and retried like any handler when it
 * fails.
 */
export function registerMirror(
  registry: Pick<HandlerRegistry, "on">,
  schema: string,
  options: MirrorHandlerOptions = {},
): Mirror {
  const mirror = createMirror(schema, options.store ? { store: options.store } : {});
  const revalidation = options.revalidate;
  const settleTie = options.refetchTies && tieRefetcher(options.refetchTies, schema);
  registry.on(
    "*",
    async (event, ctx) => {
      const snapshot = snapshotOf(event);
      // The API call (and the tie's stamp read, through the store) comes before the first query through ctx.tx,
      // which is what begins the run's transaction: no transaction is open while Stripe answers.
      let current: object = event;
      if (snapshot && revalidation?.types.has(snapshot.table)) {
        current = await revalidate(revalidation.stripe(), event, snapshot);
      } else if (snapshot && settleTie) {
        current = await settleTie(event, snapshot);
      }
      await mirror.applyInRun(ctx, current);
    },
    { name: MIRROR_HANDLER_NAME },
  );
  return mirror;
}
