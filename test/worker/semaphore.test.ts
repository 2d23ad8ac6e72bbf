import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/worker/semaphore.js";

describe("the run-transaction semaphore", () => {
  it("lets `permits` holders in at once and the waiting ones in arrival order, one per release", async () => {
    const semaphore = new Semaphore(2);
    const entered: string[] = [];
    const enter = (name: string) =>
      semaphore.acquire().then((release) => {
        entered.push(name);
        return release;
      });
    const [releaseA, releaseB] = await Promise.all([enter("a"), enter("b")]);
    const c = enter("c");
    const d = enter("d");
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toEqual(["a", "b"]);

    releaseA?.();
    releaseA?.(); // a second call gives nothing back
    await c;
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toEqual(["a", "b", "c"]);

    releaseB?.();
    await d;
    expect(entered).toEqual(["a", "b", "c", "d"]);
  });
});
