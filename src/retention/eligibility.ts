import { quoteIdent } from "../store/migrate.js";

/**
 * What retention may remove, as SQL conditions, in one place for prune, its dry run and the stats.
 *
 * An event goes once fanned out and finished: every run succeeded, or no handler matched it. An event still
 * `pending` (not fanned out), or with a run pending, running, failed or dead, stays whatever its age: that is work
 * not done, and replay needs it. A delivery goes when it has no retained event: a rejected attempt (summaries
 * included, judged by their last attempt), or a redelivery of an event pruned earlier. The mirror is never read or
 * written here.
 */
export function eligibility(schemaName: string) {
  const schema = quoteIdent(schemaName);
  return {
    eventIsRemovable: (event: string) =>
      `${event}.status IN ('dispatched', 'no_handler')
       AND NOT EXISTS (SELECT 1 FROM ${schema}.handler_runs r
                        WHERE r.event_id = ${event}.id AND r.status <> 'succeeded')`,
    deliveryIsRemovable: (delivery: string, cut: string) =>
      `coalesce(${delivery}.last_received_at, ${delivery}.received_at) < ${cut}
       AND (${delivery}.event_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM ${schema}.events e WHERE e.id = ${delivery}.event_id))`,
  };
}
