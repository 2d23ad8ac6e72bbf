import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../support/stores.js";
import { eventsFor, expectNewestState, histories, shuffle } from "./histories.js";
import { type MirrorWorkers, startMirrorWorkers } from "./workers-support.js";

const SCENARIOS: Array<{ engine: Engine; inboxes: number; concurrency: number; runs: number }> = [
  { engine: "postgres", inboxes: 4, concurrency: 4, runs: 30 },
  { engine: "pglite", inboxes: 1, concurrency: 4, runs: 8 },
];

describe.each(SCENARIOS)("the mirror under reordering on $engine with $inboxes inbox(es) of workers", (scenario) => {
  let workers: MirrorWorkers;
  beforeAll(async () => {
    workers = await startMirrorWorkers(scenario.engine, scenario.inboxes, scenario.concurrency);
  }, 60_000);
  afterAll(() => workers.stop());

  it("ends in exactly the state of the newest event for shuffled create/update/delete sequences", async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.nat(), async (objects, shuffleSeed) => {
        const { bodies, eventIds, expected } = eventsFor(objects);
        await workers.deliverAll(shuffle(bodies, shuffleSeed));
        const attempts = await workers.settled(eventIds);
        // No run failed and retried: no deadlock or other error surfaced.
        expect(attempts.every((n) => n === 1)).toBe(true);
        await expectNewestState(workers.query, expected);
      }),
      { numRuns: scenario.runs },
    );
  }, 600_000);
});
