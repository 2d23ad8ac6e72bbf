import { afterEach, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/errors.js";
import { parseEvent } from "../../src/inbox/parse-event.js";
import { createDeliveryRecorder, type DeliveryAttempt } from "../../src/inbox/record-deliveries.js";
import { migrate } from "../../src/store/migrate.js";
import { eventBody } from "../support/events.js";
import { ENGINES, openTestStore, type TestStore } from "../support/stores.js";

function attemptFor(body: string, overrides: Partial<DeliveryAttempt["event"] & object> = {}): DeliveryAttempt {
  const { envelope, text } = parseEvent(Buffer.from(body));
  return {
    receivedAt: new Date(),
    bodyBytes: body.length,
    sourceAddress: "127.0.0.1",
    signatureTimestamp: Math.floor(Date.now() / 1000),
    event: { envelope: { ...envelope, ...overrides.envelope }, body: overrides.body ?? Buffer.from(text) },
    rejection: null,
  };
}

describe.each(ENGINES)("recording deliveries on %s", (engine) => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  it("commits a batch in one statement and tells the first delivery of each new event from its duplicates", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const batches: number[] = [];
    const recorder = createDeliveryRecorder(db.store, (size) => batches.push(size));
    const bodies = Array.from({ length: 20 }, () => eventBody());
    const attempts = [...bodies, ...bodies].map((body) => attemptFor(body));
    const results = await Promise.all(attempts.map((attempt) => recorder.submit(attempt)));
    // Concurrent batches race for the same id: whichever commits first stores it, exactly once per event.
    const storedPerEvent = bodies.map((_, i) => [results[i], results[i + 20]].filter((r) => r && !r.duplicate).length);
    expect(storedPerEvent).toEqual(bodies.map(() => 1));
    // Requests that arrive while a commit is running share the next one.
    expect(batches.length).toBeLessThan(attempts.length);
    const [counts] = await db.store.query<{ events: string; stored: string; duplicates: string }>(
      `SELECT (SELECT count(*) FROM "${db.config.schema}".events) AS events,
              (SELECT count(*) FROM "${db.config.schema}".deliveries WHERE outcome = 'stored') AS stored,
              (SELECT count(*) FROM "${db.config.schema}".deliveries WHERE outcome = 'duplicate') AS duplicates`,
    );
    expect([counts?.events, counts?.stored, counts?.duplicates].map(Number)).toEqual([20, 20, 20]);
  });

  it("fails only the attempt the database refuses, not its batch neighbours", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const recorder = createDeliveryRecorder(db.store);
    const good = Array.from({ length: 5 }, () => attemptFor(eventBody()));
    // Postgres text cannot hold U+0000; parseEvent refuses it, so build the attempt past it.
    const envelope = parseEvent(Buffer.from(eventBody())).envelope;
    const poison = attemptFor(eventBody(), { envelope: { ...envelope, id: "evt_bad\u0000id" } });
    const outcomes = await Promise.allSettled([...good, poison].map((attempt) => recorder.submit(attempt)));
    expect(outcomes.slice(0, 5).every((outcome) => outcome.status === "fulfilled")).toBe(true);
    const last = outcomes[5];
    expect(last?.status).toBe("rejected");
    expect(last?.status === "rejected" && last.reason).toBeInstanceOf(StoreUnavailableError);
    const rows = await db.store.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.config.schema}".events`);
    expect(Number(rows[0]?.n)).toBe(5);
  });
});
