import { ConfigError } from "../errors.js";

/** What bounds slow, stalled and numerous clients of the standalone server. */
export interface ServerLimits {
  /** Time to receive a request's headers; slower clients are answered 408. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body; slower clients are answered 408. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed as soon as they are accepted. */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
};

/** The limits with `given` applied, checked: positive integers, and headers due no later than the whole request. */
export function serverLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isInteger(value) && value > 0))
      throw new ConfigError(`${name} must be a positive integer, not ${value}.`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      `The headers timeout (${limits.headersTimeoutMs} ms) must not be longer than the request timeout (${limits.requestTimeoutMs} ms), which includes the headers.`,
    );
  }
  return limits;
}

/**
 * How often Node looks for requests past their timeouts. Its default, 30 s, let slow clients stay up to 30 s past
 * their deadline; a tenth of the shorter timeout keeps the overshoot small at little cost.
 */
export function timeoutCheckInterval(limits: ServerLimits): number {
  return Math.min(1_000, Math.max(50, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)));
}
