import { StoreUnavailableError } from "../errors.js";
import { eventsChannel } from "../store/listen.js";
import { quoteIdent } from "../store/migrate.js";
import type { Store } from "../store/store.js";
import { isStoreUnavailable, toStoreUnavailable } from "../store/unavailable.js";
import { createGroupCommit, type GroupCommit } from "./group-commit.js";
import type { EventEnvelope } from "./parse-event.js";
import {
  DEFAULT_REJECTION_LIMITS,
  type RejectionLimits,
  type RejectionRecording,
  RejectionTally,
} from "./rejection-tally.js";

/** One HTTP delivery attempt, verified or not. Rejected attempts carry the reason, never the body. */
export interface DeliveryAttempt {
  receivedAt: Date;
  bodyBytes: number;
  sourceAddress: string | null;
  signatureTimestamp: number | null;
  /** The verified body is stored byte for byte; it must not be mutated once submitted. */
  event: { envelope: EventEnvelope; body: Uint8Array } | null;
  rejection: { code: string; message: string } | null;
  /** How many rejected attempts this one row stands for (a window's summary), from receivedAt to lastReceivedAt. */
  attempts?: number;
  lastReceivedAt?: Date;
}

export interface RecordedDelivery {
  /** True when the event id was already stored, by an earlier delivery or an earlier one in this batch. */
  duplicate: boolean;
}

export interface DeliveryRecorder extends GroupCommit<DeliveryAttempt, RecordedDelivery> {
  /**
   * Records a rejected attempt on a row of its own, or, past the limits for its reason and source in the current
   * window, counts it into the window's summary row (written when the window ends, or by `drain`). Says which at once.
   */
  recordRejection(attempt: DeliveryAttempt): { recording: RejectionRecording; written: Promise<unknown> };
}

const MAX_BATCH = 256;
/**
 * Deliveries waiting before a batch starts beside one already committing. Fewer, larger batches cost Postgres and
 * this process less CPU per delivery; a second batch still starts when this many wait, as with a distant database.
 */
const MIN_BATCH_ALONGSIDE = 16;
/** body_bytes is an integer column; a declared Content-Length, or a summary's total, can be larger. */
const MAX_BODY_BYTES_RECORDED = 2_147_483_647;
/** Summaries are written a moment after their window ends, so that attempts answered at its end are in them. */
const SUMMARY_DELAY_MS = 100;

export function createDeliveryRecorder(
  store: Store,
  onBatch?: (size: number) => void,
  rejectionLimits: RejectionLimits = DEFAULT_REJECTION_LIMITS,
): DeliveryRecorder {
  const rows = createRowRecorder(store, onBatch);
  const tally = new RejectionTally(rejectionLimits);
  let timer: NodeJS.Timeout | null = null;

  const writeSummaries = (everything: boolean) => {
    const due = tally.take(Date.now(), everything);
    scheduleSummaries();
    return Promise.all(
      due.map(({ attempt, settle }) =>
        rows.submit(attempt).then(
          () => settle(),
          (error: unknown) => settle(error),
        ),
      ),
    );
  };
  const scheduleSummaries = () => {
    const dueAt = tally.dueAt();
    if (timer || dueAt === null) return;
    timer = setTimeout(
      () => {
        timer = null;
        void writeSummaries(false);
      },
      Math.max(0, dueAt - Date.now()) + SUMMARY_DELAY_MS,
    );
    // Never what keeps a process alive: stopping drains the recorder, which writes what is counted.
    timer.unref();
  };

  return {
    submit: rows.submit,
    recordRejection(attempt) {
      const admission = tally.admit(attempt);
      if (admission.recording === "row") return { recording: "row", written: rows.submit(attempt) };
      scheduleSummaries();
      return { recording: admission.recording, written: admission.written ?? Promise.resolve() };
    },
    async drain() {
      await writeSummaries(true);
      await rows.drain();
    },
  };
}

/** One row per attempt submitted, committed in groups. */
function createRowRecorder(
  store: Store,
  onBatch?: (size: number) => void,
): GroupCommit<DeliveryAttempt, RecordedDelivery> {
  const sql = recordSql(quoteIdent(store.schema));
  const insertBatch = async (batch: DeliveryAttempt[]) => {
    const [result] = await store.query<{ stored_ids: string[]; logged: number }>(
      sql,
      [...batchParameters(batch), eventsChannel(store.schema)],
      { prepareAs: "stripe_inbox_record" },
    );
    // Never read silence as success: a store that answers without the rows it must have written is not acked.
    if (!result || Number(result.logged) !== batch.length) {
      throw new StoreUnavailableError(`The store answered the batch insert without its ${batch.length} delivery rows.`);
    }
    const storedIds = new Set(result.stored_ids);
    // The first attempt in the batch for a newly stored id is the one that stored it; the SQL decides the same way.
    return batch.map((attempt) => {
      const id = attempt.event?.envelope.id;
      return { duplicate: id !== undefined && !storedIds.delete(id) };
    });
  };
  return createGroupCommit<DeliveryAttempt, RecordedDelivery>({
    maxInFlight: store.concurrency,
    minBatchAlongside: MIN_BATCH_ALONGSIDE,
    maxBatchSize: MAX_BATCH,
    gatherTurn: true,
    ...(onBatch && { onBatch }),
    async commit(batch) {
      try {
        return await insertBatch(batch);
      } catch (error) {
        if (batch.length === 1 || isStoreUnavailable(error)) throw toStoreUnavailable(error);
        // One attempt the database refuses must not fail its neighbours: retry each on its own.
        return Promise.all(
          batch.map((attempt) =>
            insertBatch([attempt]).then(
              ([result]) => result ?? toStoreUnavailable(new Error("no result")),
              (itemError: unknown) => toStoreUnavailable(itemError),
            ),
          ),
        );
      }
    },
  });
}

function batchParameters(batch: DeliveryAttempt[]): unknown[] {
  // Each event once, as its first attempt in the batch carried it.
  const events = new Map<string, NonNullable<DeliveryAttempt["event"]> & { receivedAt: Date }>();
  for (const { event, receivedAt } of batch) {
    if (event && !events.has(event.envelope.id)) events.set(event.envelope.id, { ...event, receivedAt });
  }
  const stored = [...events.values()];
  return [
    batch.map((_, index) => index),
    batch.map((attempt) => attempt.receivedAt.toISOString()),
    batch.map((attempt) => attempt.event?.envelope.id ?? null),
    batch.map((attempt) => attempt.rejection?.code ?? null),
    batch.map((attempt) => attempt.rejection?.message ?? null),
    batch.map((attempt) => Math.min(attempt.bodyBytes, MAX_BODY_BYTES_RECORDED)),
    batch.map((attempt) =>
      attempt.signatureTimestamp === null ? null : new Date(attempt.signatureTimestamp * 1000).toISOString(),
    ),
    batch.map((attempt) => attempt.sourceAddress),
    stored.map(({ envelope }) => envelope.id),
    stored.map(({ envelope }) => envelope.type),
    stored.map(({ envelope }) => envelope.object),
    stored.map(({ envelope }) => envelope.apiVersion),
    stored.map(({ envelope }) => envelope.created.toISOString()),
    stored.map(({ envelope }) => envelope.livemode),
    stored.map(({ envelope }) => envelope.account),
    stored.map(({ envelope }) => envelope.objectId),
    stored.map(({ envelope }) => envelope.objectType),
    // The bodies travel as one binary parameter with offsets: no text escaping, no re-encoding, a sixth of the
    // client CPU of a text[] of JSON strings (measured), which dominated the cost of an acknowledgement.
    Buffer.concat(stored.map(({ body }) => body)),
    bodyOffsets(stored.map(({ body }) => body.byteLength)),
    stored.map(({ body }) => body.byteLength),
    stored.map(({ receivedAt }) => receivedAt.toISOString()),
    batch.map((attempt) => attempt.attempts ?? 1),
    batch.map((attempt) => attempt.lastReceivedAt?.toISOString() ?? null),
  ];
}

/** 1-based start of each body in the concatenation, as SQL's substring counts. */
function bodyOffsets(lengths: number[]): number[] {
  let next = 1;
  return lengths.map((length) => {
    const offset = next;
    next += length;
    return offset;
  });
}

/**
 * One statement, so one round trip and one atomic commit per batch: events and their delivery rows, or nothing.
 * It answers the newly stored ids and how many delivery rows it wrote.
 */
function recordSql(schema: string): string {
  return `
WITH attempt AS (
  SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::text[],
                       $22::int[], $23::timestamptz[])
    AS a(ord, received_at, event_id, error_code, error_message, body_bytes, signature_timestamp, source_address,
         attempts, last_received_at)
), stored AS (
  INSERT INTO ${schema}.events
    (id, type, object, api_version, created, livemode, account, data_object_id, data_object_type, payload, received_at)
  SELECT id, type, object, api_version, created, livemode, account, data_object_id, data_object_type,
         convert_from(substring($18::bytea FROM body_offset FOR body_length), 'UTF8')::json, received_at
  FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::bool[], $15::text[],
              $16::text[], $17::text[], $19::int[], $20::int[], $21::timestamptz[])
    AS e(id, type, object, api_version, created, livemode, account, data_object_id, data_object_type,
         body_offset, body_length, received_at)
  -- An event pruned by retention is still a duplicate while its id is kept: one primary-key probe per event.
  WHERE NOT EXISTS (SELECT 1 FROM ${schema}.pruned_event_ids p WHERE p.id = e.id)
  -- events is partitioned by created, which is signed and the same in every delivery of an event: an id always lands
  -- in the same partition, whose primary key on id makes this an exact dedupe (migration 0012).
  ON CONFLICT DO NOTHING
  RETURNING id
), first_attempt AS (
  SELECT event_id, min(ord) AS ord FROM attempt WHERE event_id IS NOT NULL GROUP BY event_id
), logged AS (
  INSERT INTO ${schema}.deliveries
    (received_at, event_id, outcome, error_code, error_message, body_bytes, signature_timestamp, source_address,
     attempts, last_received_at)
  SELECT a.received_at, a.event_id,
    CASE WHEN a.error_code IS NOT NULL THEN 'rejected'
         WHEN f.ord IS NOT NULL AND a.event_id IN (SELECT id FROM stored) THEN 'stored'
         ELSE 'duplicate' END,
    a.error_code, a.error_message, a.body_bytes, a.signature_timestamp, a.source_address, a.attempts, a.last_received_at
  FROM attempt a LEFT JOIN first_attempt f ON f.event_id = a.event_id AND f.ord = a.ord
  ORDER BY a.ord
  RETURNING 1
)
-- Workers LISTEN on $24: the notification is delivered when, and only if, this statement commits.
SELECT ARRAY(SELECT id FROM stored) AS stored_ids, (SELECT count(*) FROM logged)::int AS logged,
       (SELECT pg_notify($24, '') WHERE EXISTS (SELECT 1 FROM stored)) AS notified`;
}
