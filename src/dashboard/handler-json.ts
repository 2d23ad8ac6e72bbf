import type { HandlerPause, HandlerState, PausedBy } from "../worker/handler-pauses.js";

/** A pause as the admin API and `--json` write it: snake_case, like the rest of the HTTP API and Stripe's. */
export interface HandlerPauseJson {
  handler: string;
  paused_at: string;
  paused_by: PausedBy;
  reason: string | null;
  consecutive_failures: number | null;
}

export interface HandlerStateJson {
  handler: string;
  paused: HandlerPauseJson | null;
  waiting: number;
}

export function pauseToJson(pause: HandlerPause): HandlerPauseJson;
export function pauseToJson(pause: HandlerPause | null): HandlerPauseJson | null;
export function pauseToJson(pause: HandlerPause | null): HandlerPauseJson | null {
  if (pause === null) return null;
  return {
    handler: pause.handler,
    paused_at: pause.pausedAt,
    paused_by: pause.pausedBy,
    reason: pause.reason,
    consecutive_failures: pause.consecutiveFailures,
  };
}

export function pauseFromJson(json: HandlerPauseJson): HandlerPause;
export function pauseFromJson(json: HandlerPauseJson | null): HandlerPause | null;
export function pauseFromJson(json: HandlerPauseJson | null): HandlerPause | null {
  if (json === null) return null;
  return {
    handler: json.handler,
    pausedAt: json.paused_at,
    pausedBy: json.paused_by,
    reason: json.reason,
    consecutiveFailures: json.consecutive_failures,
  };
}

export function stateToJson(state: HandlerState): HandlerStateJson {
  return { handler: state.handler, paused: pauseToJson(state.paused), waiting: state.waiting };
}

export function stateFromJson(json: HandlerStateJson): HandlerState {
  return { handler: json.handler, paused: pauseFromJson(json.paused), waiting: json.waiting };
}
