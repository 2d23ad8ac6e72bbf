import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { SECRET } from "../support/events.js";
import type { Engine } from "../support/stores.js";
import { deliverAll, objectEvent, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";

interface Sighting {
  objectId: string;
  eventId: string;
  startedAt: number;
  endedAt: number;
}

interface Scenario {
  engine: Engine;
  /** Inboxes with workers on the same database; PGlite is one process's, and runs one transaction at a time. */
  workers: number;
  concurrency: number;
  objects: number;
  eventsPerObject: number;
}

// More events than one fan-out batch (500), so no single worker sees them all at once.
const SCENARIOS: Scenario[] = [
  { engine: "postgres", workers: 4, concurrency: 4, objects: 6, eventsPerObject: 100 },
  { engine: "pglite", workers: 1, concurrency: 4, objects: 4, eventsPerObject: 130 },
];

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

describe.each(SCENARIOS)("per-object ordering on $engine with $workers worker(s)", (scenario) => {
  let db: WorkerTestDb | undefined;
  const inboxes: Inbox[] = [];
  afterEach(async () => {
    for (const inbox of inboxes.splice(0)) await inbox.stop();
    await db?.cleanup();
  });

  it("runs each object's events one at a time in created order (ties by id), other objects in parallel", async () => {
    db = await openWorkerTestDb(scenario.engine);
    const base = Math.floor(Date.now() / 1000) - 3_600;
    const expected = new Map<string, string[]>();
    const bodies: string[] = [];
    for (let o = 0; o < scenario.objects; o++) {
      const objectId = `cus_${randomBytes(6).toString("hex")}`;
      const events = Array.from({ length: scenario.eventsPerObject }, (_, i) => ({
        id: `evt_${randomBytes(10).toString("hex")}`,
        // Three events per second: Stripe's `created` has second resolution, so ties are the rule, not the exception.
        created: base + Math.floor(i / 3),
      }));
      const inOrder = [...events].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      expected.set(
        objectId,
        inOrder.map((event) => event.id),
      );
      for (const event of events) bodies.push(objectEvent({ ...event, type: "customer.updated", objectId }));
    }

    // Everything arrives, shuffled, before any worker starts.
    const receiver = createInbox({ secret: SECRET, ...db.config, workers: false });
    inboxes.push(receiver);
    await deliverAll(receiver, shuffle(bodies), 8);
    if (scenario.engine === "pglite") {
      // The data directory is one inbox's at a time.
      await receiver.stop();
      inboxes.splice(0);
    }

    const sightings: Sighting[] = [];
    const inFlight = new Map<string, string>();
    const overlapsOnOneObject: string[] = [];
    let mostObjectsAtOnce = 0;
    for (let w = 0; w < scenario.workers; w++) {
      const inbox = createInbox({ ...db.config, workers: { concurrency: scenario.concurrency, pollMs: 20 } });
      inbox.on(
        "customer.updated",
        async (event) => {
          const objectId = event.data.object.id;
          const other = inFlight.get(objectId);
          if (other) overlapsOnOneObject.push(`${event.id} started while ${other} was running`);
          inFlight.set(objectId, event.id);
          mostObjectsAtOnce = Math.max(mostObjectsAtOnce, inFlight.size);
          const startedAt = performance.now();
          await sleep(2);
          inFlight.delete(objectId);
          sightings.push({ objectId, eventId: event.id, startedAt, endedAt: performance.now() });
        },
        { name: "sync-customer", ordered: true },
      );
      inboxes.push(inbox);
    }
    const startedAt = performance.now();
    await Promise.all(inboxes.filter((inbox) => inbox !== receiver).map((inbox) => inbox.start()));
    await expect.poll(() => sightings.length, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(bodies.length);
    const seconds = (performance.now() - startedAt) / 1000;

    expect(overlapsOnOneObject).toEqual([]);
    for (const [objectId, ids] of expected) {
      const seen = sightings.filter((sighting) => sighting.objectId === objectId).map((sighting) => sighting.eventId);
      expect(seen, `events about ${objectId}`).toEqual(ids);
    }
    // Each event once: a sighting per event, no more.
    expect(sightings).toHaveLength(bodies.length);

    // Other objects do not wait for each other: count the runs that overlapped a run about another object.
    const overlapping = sightings.filter((a) =>
      sightings.some((b) => b.objectId !== a.objectId && b.startedAt < a.endedAt && a.startedAt < b.endedAt),
    ).length;
    console.log(
      `[ordering ${scenario.engine}] ${bodies.length} events about ${scenario.objects} objects in ${seconds.toFixed(2)} s; ` +
        `${overlapping} runs overlapped another object's run; at most ${mostObjectsAtOnce} objects in flight at once`,
    );
    if (scenario.engine === "postgres") {
      expect(mostObjectsAtOnce).toBeGreaterThan(1);
      expect(overlapping).toBeGreaterThan(bodies.length / 4);
    }
  });
});
