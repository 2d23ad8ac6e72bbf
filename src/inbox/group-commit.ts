/**
 * Group commit: requests that arrive while earlier batches are committing share the next transaction,
 * so throughput is not capped at one fsync per request. A batch starts as soon as a slot is free (or, with
 * `gatherTurn`, at the end of the event loop's turn; with `minBatchAlongside`, once enough wait); under load,
 * batches grow by themselves to the number of requests that arrived during one commit.
 */
export interface GroupCommitOptions<Item, Result> {
  /** Batches committing at once (the store's concurrency). */
  maxInFlight: number;
  /**
   * How many items must wait before a batch starts beside one already committing (default 1). Everything that
   * arrived during a commit then goes in one batch, which costs less per item than several small ones; another
   * batch starts alongside only when this many wait, as when commits are slow.
   */
  minBatchAlongside?: number;
  maxBatchSize: number;
  /** Commits a batch; returns one result per item, in order, or an Error for an item that alone failed. */
  commit(batch: Item[]): Promise<Array<Result | Error>>;
  /** Sees every batch size, for the batch-size metric. */
  onBatch?: (size: number) => void;
  /**
   * Start a batch only once the current turn of the event loop is over, so that items submitted in one turn (the
   * requests read from the sockets of one poll) share it, instead of the first one taking a free slot alone.
   */
  gatherTurn?: boolean;
}

export interface GroupCommit<Item, Result> {
  submit(item: Item): Promise<Result>;
  /** Resolves when everything submitted so far has committed or failed. */
  drain(): Promise<void>;
}

interface Pending<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export function createGroupCommit<Item, Result>(options: GroupCommitOptions<Item, Result>): GroupCommit<Item, Result> {
  const queue: Pending<Item, Result>[] = [];
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let startScheduled = false;
  const minBatchAlongside = options.minBatchAlongside ?? 1;

  const startBatches = () => {
    while (
      inFlight < options.maxInFlight &&
      queue.length > 0 &&
      (inFlight === 0 || queue.length >= minBatchAlongside)
    ) {
      const batch = queue.splice(0, options.maxBatchSize);
      inFlight++;
      options.onBatch?.(batch.length);
      void commitBatch(batch);
    }
    if (inFlight === 0 && queue.length === 0) {
      for (const wake of idleWaiters) wake();
      idleWaiters = [];
    }
  };

  const commitBatch = async (batch: Pending<Item, Result>[]) => {
    try {
      const results = await options.commit(batch.map((pending) => pending.item));
      batch.forEach((pending, index) => {
        const result = results[index];
        if (result === undefined) pending.reject(new Error("group commit returned too few results"));
        else if (result instanceof Error) pending.reject(result);
        else pending.resolve(result);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      inFlight--;
      startBatches();
    }
  };

  const startAfterTurn = () => {
    startScheduled = false;
    startBatches();
  };

  return {
    submit: (item) =>
      new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!options.gatherTurn) startBatches();
        else if (!startScheduled) {
          startScheduled = true;
          setImmediate(startAfterTurn);
        }
      }),
    drain: () =>
      inFlight === 0 && queue.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idleWaiters.push(resolve);
          }),
  };
}
