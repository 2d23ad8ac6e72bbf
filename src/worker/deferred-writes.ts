import type { Logger } from "pino";
import { groupBy, sortedByKey } from "../collections.js";
import type { Queryable } from "../store/store.js";

/**
 * Writes the items that many runs queued with `ctx.defer(writer, item)`, all at once, in the transaction that
 * marks those runs succeeded: e.g. one multi-row INSERT for a whole batch instead of a statement per run.
 */
export interface BatchWriter<Item> {
  /** Orders writers within a batch, so that concurrent batches reach each writer's rows in the same order. */
  readonly name: string;
  /**
   * Writes the items in `tx`. Items come in the order the runs were queued; sort them by the rows they lock, so that
   * two workers' batches do not deadlock over them. May return a function to call once the transaction has committed.
   * Throwing rolls the batch back; its runs are then committed one at a time, so only a failing run fails.
   */
  write(tx: Queryable, items: readonly Item[]): Promise<undefined | (() => void)>;
}

export interface DeferOptions {
  /** Names the statement so that it stays prepared per connection (see QueryOptions.prepareAs). */
  prepareAs?: string;
  /**
   * The row the write locks, e.g. `customers/cus_123`. A batch applies its runs in the order of their first
   * statement's key, so that batches whose runs each lock one row take those locks in the same order.
   */
  key?: string;
  /** Sees the statement's rows once the batch has committed (never for a write that rolled back). */
  onRows?: (rows: Record<string, unknown>[]) => void;
}

/** A statement queued with `ctx.defer(sql, params, options)`. */
export interface DeferredStatement {
  sql: string;
  params: readonly unknown[];
  options: DeferOptions;
}

/** One run's queued item for one writer. */
export interface DeferredWrite {
  writer: BatchWriter<unknown>;
  item: unknown;
}

/** The functions to call once a transaction has committed. */
export type AfterCommit = Array<() => void>;

/** The statements of each run, run by run (keyed runs sorted), each run's statements in the order queued. */
export const STATEMENT_WRITER: BatchWriter<readonly DeferredStatement[]> = {
  name: "ctx.defer(sql)",
  async write(tx, runs) {
    const afterCommit: AfterCommit = [];
    for (const statements of sortedByKey(runs, (run) => run[0]?.options.key ?? "")) {
      for (const { sql, params, options } of statements) {
        const prepareAs = options.prepareAs;
        const rows = await tx.query(sql, params, prepareAs === undefined ? undefined : { prepareAs });
        const onRows = options.onRows;
        if (onRows) afterCommit.push(() => onRows(rows));
      }
    }
    if (afterCommit.length === 0) return undefined;
    // Every run's callback is called even when another's throws; the first error reaches the log.
    return () => {
      const errors: unknown[] = [];
      for (const callback of afterCommit) {
        try {
          callback();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    };
  },
};

/**
 * Writes the queued items of several runs in `tx`: writer by writer in the order of their names, each once with
 * every item queued for it. Returns what to call after the commit.
 */
export async function writeDeferred(tx: Queryable, writes: readonly DeferredWrite[]): Promise<AfterCommit> {
  const byWriter = groupBy(writes, (write) => write.writer);
  const afterCommit: AfterCommit = [];
  for (const writer of sortedByKey([...byWriter.keys()], (writer) => writer.name)) {
    const after = await writer.write(
      tx,
      (byWriter.get(writer) ?? []).map((write) => write.item),
    );
    if (after) afterCommit.push(after);
  }
  return afterCommit;
}

/** Calls every function, even when one throws: a callback's error is logged, the commit stands. */
export function runAfterCommit(afterCommit: AfterCommit, log: Logger): void {
  for (const callback of afterCommit) {
    try {
      callback();
    } catch (error) {
      log.error({ err: error }, "a deferred write's callback threw after its commit");
    }
  }
}

/** What one run's handler queued with `ctx.defer`, until it returned. */
export class DeferredQueue {
  readonly #queued: DeferredWrite[] = [];
  readonly #statements: DeferredStatement[] = [];
  #closed = false;

  /** `ctx.defer`: a statement, or an item for a batch writer. */
  readonly defer = (target: string | BatchWriter<unknown>, paramsOrItem?: unknown, options?: DeferOptions): void => {
    if (this.#closed) throw new Error("ctx.defer was called after the handler returned: await everything it starts.");
    if (typeof target === "string") {
      const params = (paramsOrItem as readonly unknown[] | undefined) ?? [];
      this.#statements.push({ sql: target, params, options: options ?? {} });
    } else {
      this.#queued.push({ writer: target, item: paramsOrItem });
    }
  };

  /** The handler returned: later calls throw. */
  close(): void {
    this.#closed = true;
  }

  get isEmpty(): boolean {
    return this.#queued.length === 0 && this.#statements.length === 0;
  }

  /** The run's writes; its statements are one item of the statement writer, so they stay together and in order. */
  writes(): DeferredWrite[] {
    if (this.#statements.length === 0) return [...this.#queued];
    return [...this.#queued, { writer: STATEMENT_WRITER as BatchWriter<unknown>, item: this.#statements }];
  }
}
