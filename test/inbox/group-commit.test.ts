import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../../src/inbox/group-commit.js";

/** A commit the test releases by hand, to see what waits for what. */
function controlledCommits() {
  const calls: Array<{ batch: number[]; release(results?: Array<number | Error>): void; fail(error: Error): void }> =
    [];
  const commit = (batch: number[]) =>
    new Promise<Array<number | Error>>((resolve, reject) => {
      calls.push({ batch, release: (results) => resolve(results ?? batch.map((n) => n * 10)), fail: reject });
    });
  return { calls, commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit", () => {
  it("starts at once when idle, and gathers what arrives meanwhile into the next batch", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 1, maxBatchSize: 100, commit });
    const first = group.submit(1);
    const rest = [2, 3, 4].map((n) => group.submit(n));
    expect(calls.map((call) => call.batch)).toEqual([[1]]);
    calls[0]?.release();
    expect(await first).toBe(10);
    await tick();
    expect(calls.map((call) => call.batch)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.release();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it("keeps at most maxInFlight batches committing and caps their size", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 2, maxBatchSize: 3, commit });
    const all = Array.from({ length: 9 }, (_, n) => group.submit(n));
    expect(calls.map((call) => call.batch)).toEqual([[0], [1]]);
    calls[0]?.release();
    await tick();
    expect(calls.map((call) => call.batch)).toEqual([[0], [1], [2, 3, 4]]);
    for (let i = 1; i < 5 && calls[i]; i++) {
      calls[i]?.release();
      await tick();
    }
    await Promise.all(all);
    expect(calls.map((call) => call.batch)).toEqual([[0], [1], [2, 3, 4], [5, 6, 7], [8]]);
  });

  it("starts a batch beside one committing only once minBatchAlongside items wait", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 4, minBatchAlongside: 3, maxBatchSize: 100, commit });
    const first = group.submit(0);
    const waiting = [1, 2].map((n) => group.submit(n));
    expect(calls.map((call) => call.batch)).toEqual([[0]]);
    const third = group.submit(3);
    expect(calls.map((call) => call.batch)).toEqual([[0], [1, 2, 3]]);
    const late = group.submit(4);
    expect(calls).toHaveLength(2);
    // Nothing waits behind a too-small batch for good: once none commits, what waits starts.
    calls[0]?.release();
    calls[1]?.release();
    expect(await first).toBe(0);
    expect(await Promise.all([...waiting, third])).toEqual([10, 20, 30]);
    await tick();
    expect(calls.map((call) => call.batch)).toEqual([[0], [1, 2, 3], [4]]);
    calls[2]?.release();
    expect(await late).toBe(40);
  });

  it("rejects every item of a failed batch, and only the item that failed on its own", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 1, maxBatchSize: 10, commit });
    const [a, b] = [group.submit(1), group.submit(2)];
    const [c, d] = [group.submit(3), group.submit(4)];
    calls[0]?.fail(new Error("connection lost"));
    await expect(a).rejects.toThrow("connection lost");
    await tick();
    expect(calls[1]?.batch).toEqual([2, 3, 4]);
    calls[1]?.release([20, new Error("refused"), 40]);
    expect(await d).toBe(40);
    expect(await b).toBe(20);
    await expect(c).rejects.toThrow("refused");
  });

  it("with gatherTurn, puts what is submitted in one turn of the event loop into one batch", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 2, maxBatchSize: 3, commit, gatherTurn: true });
    const first = [1, 2, 3, 4].map((n) => group.submit(n));
    expect(calls).toEqual([]);
    await tick();
    // Both slots were free: without gatherTurn, 1 would have gone alone into the first.
    expect(calls.map((call) => call.batch)).toEqual([[1, 2, 3], [4]]);
    const later = group.submit(5);
    calls[0]?.release();
    calls[1]?.release();
    expect(await Promise.all(first)).toEqual([10, 20, 30, 40]);
    await tick();
    expect(calls.map((call) => call.batch)).toEqual([[1, 2, 3], [4], [5]]);
    calls[2]?.release();
    expect(await later).toBe(50);
    await group.drain();
  });

  it("drains: resolves once everything submitted has settled", async () => {
    const { calls, commit } = controlledCommits();
    const group = createGroupCommit({ maxInFlight: 1, maxBatchSize: 10, commit });
    await group.drain();
    const pending = [group.submit(1), group.submit(2)];
    let drained = false;
    const draining = group.drain().then(() => {
      drained = true;
    });
    calls[0]?.release();
    await tick();
    expect(drained).toBe(false);
    calls[1]?.release();
    await draining;
    expect(await Promise.all(pending)).toEqual([10, 20]);
  });
});
