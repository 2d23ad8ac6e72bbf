import { afterEach, describe, expect, it } from "vitest";
import { createDeliveryRecorder, type DeliveryAttempt } from "../../src/inbox/record-deliveries.js";
import { DEFAULT_REJECTION_LIMITS } from "../../src/inbox/rejection-tally.js";
import { migrate } from "../../src/store/migrate.js";
import { ENGINES, openTestStore, type TestStore } from "../support/stores.js";

function rejected(code: string, sourceAddress: string | null, bodyBytes = 100): DeliveryAttempt {
  return {
    receivedAt: new Date(),
    bodyBytes,
    sourceAddress,
    signatureTimestamp: null,
    event: null,
    rejection: { code, message: `refused: ${code}` },
  };
}

interface Row {
  error_code: string;
  source_address: string | null;
  attempts: number;
  body_bytes: number;
  summary: boolean;
}

describe.each(ENGINES)("recording rejected deliveries on %s", (engine) => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  const rows = async () =>
    db.store.query<Row>(
      `SELECT error_code, source_address, attempts, body_bytes, last_received_at IS NOT NULL AS summary
         FROM "${db.config.schema}".deliveries WHERE outcome = 'rejected' ORDER BY id`,
    );

  it("writes the first ones of a reason and source on rows of their own and counts the rest in one row", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const recorder = createDeliveryRecorder(db.store);
    const recordings = [];
    for (let i = 0; i < 3000; i++) recordings.push(recorder.recordRejection(rejected("signature_missing", "10.0.0.1")));
    for (let i = 0; i < 3; i++) recorder.recordRejection(rejected("signature_mismatch", "10.0.0.1"));
    await recorder.drain();

    const perSource = DEFAULT_REJECTION_LIMITS.rowsPerSource;
    expect(recordings.filter((r) => r.recording === "row")).toHaveLength(perSource);
    expect(recordings.filter((r) => r.recording === "first_counted")).toHaveLength(1);
    const written = await rows();
    const missing = written.filter((row) => row.error_code === "signature_missing");
    expect(missing).toHaveLength(perSource + 1);
    expect(missing.filter((row) => row.summary)).toEqual([
      {
        error_code: "signature_missing",
        source_address: "10.0.0.1",
        attempts: 3000 - perSource,
        body_bytes: 100 * (3000 - perSource),
        summary: true,
      },
    ]);
    // Another reason from the same source has rows of its own.
    expect(written.filter((row) => row.error_code === "signature_mismatch").map((row) => row.attempts)).toEqual([
      1, 1, 1,
    ]);
  });

  it("counts a flood from many sources in a bounded number of rows, and every attempt in them", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const limits = { windowMs: 60_000, rowsPerSource: 2, rowsPerWindow: 20, sourcesPerWindow: 5 };
    const recorder = createDeliveryRecorder(db.store, undefined, limits);
    for (let i = 0; i < 2000; i++) recorder.recordRejection(rejected("signature_mismatch", `10.0.${i % 250}.1`));
    await recorder.drain();
    const written = await rows();
    // 20 rows of their own, a summary for each of 5 sources, and one for every source after them.
    expect(written).toHaveLength(20 + 5 + 1);
    expect(written.reduce((sum, row) => sum + row.attempts, 0)).toBe(2000);
    expect(written.filter((row) => row.summary && row.source_address === null)).toHaveLength(1);
  });

  it("writes a window's summary when the window ends, without waiting for a drain", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const limits = { ...DEFAULT_REJECTION_LIMITS, windowMs: 300, rowsPerSource: 1 };
    const recorder = createDeliveryRecorder(db.store, undefined, limits);
    const first = recorder.recordRejection(rejected("signature_missing", "10.0.0.2"));
    const counted = [1, 2, 3].map(() => recorder.recordRejection(rejected("signature_missing", "10.0.0.2")));
    expect([first.recording, ...counted.map((c) => c.recording)]).toEqual([
      "row",
      "first_counted",
      "counted",
      "counted",
    ]);
    await counted[0]?.written;
    expect((await rows()).map((row) => row.attempts)).toEqual([1, 3]);
    await recorder.drain();
  });

  it("records a declared length beyond the integer column as the largest it holds", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const recorder = createDeliveryRecorder(db.store);
    await recorder.recordRejection(rejected("payload_too_large", "10.0.0.3", 9_007_199_254_740_992)).written;
    expect((await rows()).map((row) => row.body_bytes)).toEqual([2_147_483_647]);
  });

  it("refuses a summary row for accepted deliveries", async () => {
    db = await openTestStore(engine);
    await migrate(db.store);
    const insert = db.store.query(
      `INSERT INTO "${db.config.schema}".deliveries (received_at, event_id, outcome, body_bytes, attempts)
       VALUES (now(), 'evt_1', 'stored', 10, 2)`,
    );
    await expect(insert).rejects.toMatchObject({ code: "23514" });
  });
});
