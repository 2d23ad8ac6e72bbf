import { InboxError } from "../errors.js";
import { eventsChannel } from "../store/listen.js";
import { quoteIdent } from "../store/migrate.js";
import type { Queryable, Store } from "../store/store.js";

export type PausedBy = "operator" | "circuit_breaker";

export interface HandlerPause {
  handler: string;
  /** ISO time. */
  pausedAt: string;
  pausedBy: PausedBy;
  reason: string | null;
  /** The failed runs in a row that made the circuit breaker pause it; null for an operator's pause. */
  consecutiveFailures: number | null;
}

/** One line of `handlers list` and `GET /api/handlers`: a handler known here, paused, or with runs waiting. */
export interface HandlerState {
  handler: string;
  paused: HandlerPause | null;
  /** Runs pending or waiting for a retry (they wait while the handler is paused). */
  waiting: number;
}

/** The rule HandlerRegistry applies to names: a pause may name a handler only other processes register. */
const HANDLER_NAME = /^[A-Za-z0-9_.:*-]{1,100}$/;

/** How to resume, said by the log line and the alert of the circuit breaker and by the CLI. */
export function resumeHint(handler: string): string {
  return `resume with \`stripe-inbox handlers resume ${handler}\`, the dashboard's Handlers page, or POST /api/handlers/${encodeURIComponent(handler)}/resume`;
}

function checkName(handler: string): void {
  if (!HANDLER_NAME.test(handler)) {
    throw new InboxError(
      "handler_name_invalid",
      400,
      `"${handler}" is not a handler name (1-100 of A-Z a-z 0-9 _ . : * -).`,
    );
  }
}

/** Pauses a handler. Returns the pause if this call made it, null if the handler was already paused (kept as it was). */
export async function pauseHandler(
  store: Queryable & { schema: string },
  pause: { handler: string; by: PausedBy; reason?: string | null; consecutiveFailures?: number | null; now?: Date },
): Promise<HandlerPause | null> {
  checkName(pause.handler);
  const [row] = await store.query<HandlerPause>(
    `INSERT INTO ${quoteIdent(store.schema)}.handler_pauses (handler, paused_at, paused_by, reason, consecutive_failures)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (handler) DO NOTHING
     RETURNING ${PAUSE_COLUMNS}`,
    [
      pause.handler,
      (pause.now ?? new Date()).toISOString(),
      pause.by,
      pause.reason ?? null,
      pause.consecutiveFailures ?? null,
    ],
  );
  return row ?? null;
}

/** Resumes a handler; its waiting runs are claimed again. Returns the pause it lifted, or null if it was not paused. */
export async function resumeHandler(store: Store, handler: string): Promise<HandlerPause | null> {
  checkName(handler);
  const [row] = await store.query<HandlerPause>(
    `DELETE FROM ${quoteIdent(store.schema)}.handler_pauses WHERE handler = $1 RETURNING ${PAUSE_COLUMNS}`,
    [handler],
  );
  // Workers in other processes LISTEN for this: their runs are due now, not at the next poll.
  if (row) await store.query("SELECT pg_notify($1, '')", [eventsChannel(store.schema)]);
  return row ?? null;
}

export async function listPauses(store: Queryable & { schema: string }): Promise<HandlerPause[]> {
  return store.query<HandlerPause>(
    `SELECT ${PAUSE_COLUMNS} FROM ${quoteIdent(store.schema)}.handler_pauses ORDER BY handler`,
  );
}

/**
 * Every handler this process knows, is paused, or has runs waiting, by name. The waiting counts read the claim's
 * partial index (pending and failed runs only), as the metrics scrape does.
 */
export async function listHandlerStates(store: Store, known: readonly string[]): Promise<HandlerState[]> {
  const [pauses, waiting] = await Promise.all([
    listPauses(store),
    store.query<{ handler: string; waiting: string }>(
      `SELECT handler, count(*) AS waiting FROM ${quoteIdent(store.schema)}.handler_runs
        WHERE status IN ('pending', 'failed') GROUP BY handler`,
    ),
  ]);
  const names = new Set([...known, ...pauses.map((pause) => pause.handler), ...waiting.map((row) => row.handler)]);
  return [...names].sort().map((handler) => ({
    handler,
    paused: pauses.find((pause) => pause.handler === handler) ?? null,
    waiting: Number(waiting.find((row) => row.handler === handler)?.waiting ?? 0),
  }));
}

const PAUSE_COLUMNS = `handler, to_json(paused_at)#>>'{}' AS "pausedAt", paused_by AS "pausedBy", reason,
  consecutive_failures AS "consecutiveFailures"`;

/** Pause and resume for the dashboard and the library (`inbox.handlers`): the local workers learn of it at once. */
export interface HandlerControl {
  list(): Promise<HandlerState[]>;
  /** Answers the pause in force: this one, or the one that was already there. */
  pause(handler: string, reason?: string | null): Promise<{ pause: HandlerPause; alreadyPaused: boolean }>;
  /** Answers the pause it lifted, or null when the handler was not paused. */
  resume(handler: string): Promise<HandlerPause | null>;
}

export function handlerControl(options: {
  store: () => Promise<Store>;
  /** The handlers this process registered, listed even when they have nothing waiting. */
  known: () => readonly string[];
  /** Called after a pause or resume, to make the local workers re-read the pauses now. */
  changed?: () => void;
}): HandlerControl {
  const pause: HandlerControl["pause"] = async (handler, reason = null) => {
    const store = await options.store();
    const made = await pauseHandler(store, { handler, by: "operator", reason });
    options.changed?.();
    if (made) return { pause: made, alreadyPaused: false };
    const existing = (await listPauses(store)).find((pause) => pause.handler === handler);
    // Resumed between the two statements: pause it again.
    if (!existing) return pause(handler, reason);
    return { pause: existing, alreadyPaused: true };
  };
  return {
    list: async () => listHandlerStates(await options.store(), options.known()),
    pause,
    async resume(handler) {
      const lifted = await resumeHandler(await options.store(), handler);
      options.changed?.();
      return lifted;
    },
  };
}
