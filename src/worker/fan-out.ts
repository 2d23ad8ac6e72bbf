import type { Store } from "../store/store.js";
import type { HandlerRegistry } from "./registry.js";
import type { PlannedRun, RunQueries } from "./run-queries.js";

const FAN_OUT_BATCH = 500;

/**
 * Turns newly stored events into one run per matching handler this process knows. Events that match none are
 * marked `no_handler`; replaying them after a handler is added runs them. Returns how many events it took.
 */
export async function fanOutEvents(
  store: Store,
  queries: RunQueries,
  registry: HandlerRegistry,
  now: Date,
): Promise<number> {
  return store.transaction(async (tx) => {
    const events = await queries.takePendingEvents(tx, FAN_OUT_BATCH);
    if (events.length === 0) return 0;
    const runs: PlannedRun[] = [];
    const fannedOut: Array<{ id: string; created: string; dispatched: boolean }> = [];
    for (const event of events) {
      const handlers = registry.forType(event.type);
      fannedOut.push({ id: event.id, created: event.created, dispatched: handlers.length > 0 });
      for (const handler of handlers) {
        runs.push({
          eventId: event.id,
          handler: handler.name,
          maxAttempts: handler.retry.maxAttempts,
          orderingKey: handler.ordered ? event.object_id : null,
          eventCreated: event.created,
        });
      }
    }
    await queries.insertRuns(tx, runs, now);
    await queries.markFannedOut(tx, fannedOut);
    return events.length;
  });
}
