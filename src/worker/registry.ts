import type { Logger } from "pino";
import type Stripe from "stripe";
import { ConfigError } from "../errors.js";
import type { Queryable } from "../store/store.js";
import type { BatchWriter, DeferOptions } from "./deferred-writes.js";
import { type EventFor, type EventPattern, matchesPattern } from "./event-types.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

export interface HandlerContext {
  /** 1 on the first run, then 2, 3... */
  attempt: number;
  /** Stable for this (event, handler): pass it to Stripe or any API that deduplicates on it. */
  idempotencyKey: string;
  log: Logger;
  /** Aborted when the worker is shutting down and the grace period is over. */
  signal: AbortSignal;
  /**
   * The run's transaction, begun on its first query: writes made through it happen exactly once, together with
   * the run being marked succeeded, or not at all. A handler that never uses it holds no database connection.
   */
  tx: Queryable;
  /** The same transaction's `query`, for brevity. */
  sql: Queryable["query"];
  /**
   * Queues a write to commit with the run's success, after the handler has returned: exactly once, like a write
   * through `tx`, but without a transaction of the run's own. A worker commits the queued writes of many runs in
   * one transaction (one WAL flush for all), which makes a write-only handler several times cheaper. The handler
   * cannot read the write's result (see `options.onRows`); if the write fails, the run fails and is retried.
   */
  defer(sql: string, params?: readonly unknown[], options?: DeferOptions): void;
  /** Queues an item for a writer that writes the items of a whole batch of runs at once (see BatchWriter). */
  defer<Item>(writer: BatchWriter<Item>, item: Item): void;
  /**
   * Loads the full event through the Stripe API (STRIPE_API_KEY, STRIPE_API_BASE): what a thin event
   * (`v2.core.event`) needs, and a way to see the current state behind a snapshot. Call it before the first
   * query through `tx`, so that no transaction is open while the network call runs.
   */
  fetchEvent(): Promise<unknown>;
}

export type Handler<E = Stripe.Event> = (event: E, ctx: HandlerContext) => Promise<void> | void;

export interface HandlerOptions {
  /**
   * Stable name, unique in the process: run records, pauses and metrics are keyed by it, so it must survive a rename
   * of the function or a move of the code (1-100 of A-Z a-z 0-9 _ . : * -).
   */
  name: string;
  retry?: Partial<RetryPolicy>;
  /** Run events about the same `data.object.id` one at a time, in `created` order. */
  ordered?: boolean;
}

export interface RegisteredHandler {
  name: string;
  pattern: string;
  fn: Handler<unknown>;
  retry: RetryPolicy;
  ordered: boolean;
}

const NAME = /^[A-Za-z0-9_.:*-]{1,100}$/;

/** The handlers a process knows, by stable name. */
export class HandlerRegistry {
  readonly #handlers = new Map<string, RegisteredHandler>();

  on<P extends EventPattern>(pattern: P, fn: Handler<EventFor<P>>, options: HandlerOptions): void;
  on(pattern: string, fn: Handler<{ id: string; type: string; [key: string]: unknown }>, options: HandlerOptions): void;
  on(pattern: string, fn: Handler<never>, options: HandlerOptions): void {
    if (typeof pattern !== "string" || pattern === "")
      throw new ConfigError("inbox.on needs an event type or pattern.");
    if (typeof fn !== "function") throw new ConfigError(`inbox.on("${pattern}", ...) needs a handler function.`);
    const name = options?.name;
    if (typeof name !== "string") {
      throw new ConfigError(
        `inbox.on("${pattern}", handler, { name }) needs a name: run records are keyed by it, so it must stay the same when the code changes.`,
      );
    }
    if (!NAME.test(name)) throw new ConfigError(`Handler name "${name}" must be 1-100 of A-Z a-z 0-9 _ . : * -.`);
    if (this.#handlers.has(name)) {
      throw new ConfigError(
        `A handler named "${name}" is already registered. Give each handler of a type its own { name }: run records are keyed by it.`,
      );
    }
    this.#handlers.set(name, {
      name,
      pattern,
      fn: fn as Handler<unknown>,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      ordered: options.ordered ?? false,
    });
  }

  get(name: string): RegisteredHandler | undefined {
    return this.#handlers.get(name);
  }

  get names(): string[] {
    return [...this.#handlers.keys()];
  }

  get size(): number {
    return this.#handlers.size;
  }

  forType(type: string): RegisteredHandler[] {
    return [...this.#handlers.values()].filter((handler) => matchesPattern(handler.pattern, type));
  }
}
