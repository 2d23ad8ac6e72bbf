import type Stripe from "stripe";
import { ConfigError } from "../errors.js";
import {
  BACKFILL_TYPES,
  type BackfillOptions,
  type BackfillProgress,
  backfill,
  checkBackfillTypes,
} from "../mirror/backfill.js";
import { type ReconcileOptions, type ReconcileResult, reconcile } from "../mirror/reconcile.js";
import type { PruneResult } from "../retention/prune.js";
import type { Store } from "../store/store.js";
import { type ReplayFilter, type ReplayResult, replay } from "../worker/replay.js";
import type { Settings } from "./options.js";

/** What an inbox does on request, with what it already holds: its store, its Stripe client, its mirror, its clock. */
export interface InboxOperations {
  /**
   * Runs the selected handler runs again from scratch, and sends events that had no handler back to be matched
   * against the handlers known now. With `dryRun`, only counts.
   */
  replay(filter: ReplayFilter, options?: { dryRun?: boolean | undefined }): Promise<ReplayResult>;
  /**
   * Lists objects through the Stripe API into the mirror, page by page; run again after an interruption, it goes on
   * from its last page. Needs the mirror and `stripe.apiKey`.
   */
  backfill(options?: BackfillOptions): Promise<BackfillProgress[]>;
  /** Stores the events Stripe has that the inbox missed, so that their handlers run. Needs `stripe.apiKey`. */
  reconcile(options: ReconcileOptions): Promise<ReconcileResult>;
  /**
   * Removes now what retention allows, received before `before` (by default the retention back from now): events
   * whose every run succeeded or that had no handler, their deliveries and runs, rejected attempts. Work not done and
   * the mirror stay; a pruned event's id stays a duplicate. With `dryRun`, only counts.
   */
  prune(options?: { before?: Date | undefined; dryRun?: boolean | undefined }): Promise<PruneResult>;
}

export function inboxOperations(
  settings: Settings,
  parts: {
    store: () => Promise<Store>;
    stripe: (feature: string) => Stripe;
    wakeWorkers: () => void;
    prune: InboxOperations["prune"];
  },
): InboxOperations {
  return {
    prune: parts.prune,
    async replay(filter, options = {}) {
      const dryRun = options.dryRun ?? false;
      const result = await replay(await parts.store(), filter, { dryRun, now: settings.clock() });
      // Other processes are notified; this one's workers may have no LISTEN connection (PGlite).
      if (!dryRun) parts.wakeWorkers();
      return result;
    },
    async backfill(options = {}) {
      if (!settings.mirror) {
        throw new ConfigError("backfill writes to the mirror: create the inbox with `mirror: true` (or `{ schema }`).");
      }
      // Checked before the store is opened: a typo must not create schemas.
      const types = checkBackfillTypes(options.types ?? BACKFILL_TYPES);
      const stripe = parts.stripe("backfill");
      return backfill(await parts.store(), stripe, {
        ...options,
        types,
        mirrorSchema: settings.mirror.schema,
        clock: settings.clock,
      });
    },
    async reconcile(options) {
      const stripe = parts.stripe("reconcile");
      const result = await reconcile(await parts.store(), stripe, { ...options, clock: settings.clock });
      if (result.inserted > 0) parts.wakeWorkers();
      return result;
    },
  };
}
