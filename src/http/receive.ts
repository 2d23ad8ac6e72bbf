import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { ConfigError, InboxError, SignatureError, StoreUnavailableError } from "../errors.js";
import { parseEvent } from "../inbox/parse-event.js";
import type { DeliveryAttempt, DeliveryRecorder } from "../inbox/record-deliveries.js";
import type { DeliveryOutcome } from "../metrics/inbox-metrics.js";
import { toStoreUnavailable } from "../store/unavailable.js";
import { verifySignature } from "../verify/verify.js";
import { type IncomingDelivery, PayloadTooLarge, type WebhookReply } from "./delivery.js";
import { errorReply, jsonReply } from "./replies.js";

export interface ReceiverOptions {
  /** Read on every request, so secrets added at run time are honoured without a restart. */
  secrets: () => readonly string[];
  /**
   * Called when no known secret signed a delivery; resolves once secrets stored before the call are in `secrets()`.
   * The delivery is then verified once more: an endpoint registered a moment ago is accepted on its first delivery.
   */
  reloadSecrets?: () => Promise<void>;
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** The recorder, once the store is open; rejects with StoreUnavailableError when it cannot be opened. */
  recorder: () => Promise<DeliveryRecorder>;
  log: Logger;
  /** Told after a commit that stored a new event, to wake a local worker at once. */
  onEventStored?: () => void;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
  /** Told how each delivery was answered and how long the answer took, for the metrics. */
  onAnswered?: (outcome: DeliveryOutcome, reason: string | null, seconds: number) => void;
}

export type WebhookReceiver = (delivery: IncomingDelivery) => Promise<WebhookReply>;

const RETRY_AFTER_SECONDS = "5";

/**
 * Names each HTTP delivery in the log lines about it (`deliveryId`): a prefix per process and a counter, so that
 * the lines of one attempt (rejected, stored, or answered 503) can be told from another's for the same event.
 */
function deliveryIds(): () => string {
  const prefix = `dlv_${randomBytes(4).toString("hex")}_`;
  let next = 0;
  return () => prefix + (++next).toString(36);
}

/** receive -> verify -> record -> ack. Answers 2xx only after the delivery's transaction has committed. */
export function createWebhookReceiver(options: ReceiverOptions): WebhookReceiver {
  const { log } = options;
  const nextDeliveryId = deliveryIds();
  const answered = (outcome: DeliveryOutcome, reason: string | null, started: number) =>
    options.onAnswered?.(outcome, reason, (performance.now() - started) / 1000);

  const reject = async (
    error: InboxError,
    base: Omit<DeliveryAttempt, "event" | "rejection">,
    started: number,
    deliveryId: string,
  ) => {
    answered("rejected", error.code, started);
    // The unverified body and the signature header are never logged: only why, from where, and how large.
    log.warn({ deliveryId, code: error.code, source: base.sourceAddress, bytes: base.bodyBytes }, error.message);
    // A rejection is recorded for the delivery log, but its answer never waits on, or fails with, the store.
    options
      .recorder()
      .then((recorder) =>
        recorder.submit({ ...base, event: null, rejection: { code: error.code, message: error.message } }),
      )
      .catch((storeError: unknown) => log.error({ err: storeError }, "could not record a rejected delivery"));
    const headers: Record<string, string> = error instanceof PayloadTooLarge ? { connection: "close" } : {};
    if (error.code === "method_not_allowed") headers.allow = "POST";
    return errorReply(error, headers);
  };

  return async (delivery) => {
    const receivedAt = new Date();
    const started = performance.now();
    const deliveryId = nextDeliveryId();
    const base = { receivedAt, bodyBytes: 0, sourceAddress: delivery.sourceAddress, signatureTimestamp: null };
    if (delivery.method !== "POST") {
      return reject(
        new InboxError("method_not_allowed", 405, "Stripe delivers webhooks with POST."),
        base,
        started,
        deliveryId,
      );
    }
    let body: Uint8Array;
    try {
      body = await delivery.readBody(options.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLarge)
        return reject(error, { ...base, bodyBytes: error.bytesSeen }, started, deliveryId);
      return reject(
        new InboxError("body_incomplete", 400, "The request body could not be read to its end."),
        base,
        started,
        deliveryId,
      );
    }
    base.bodyBytes = body.byteLength;
    const verify = () =>
      verifySignature(body, delivery.header("stripe-signature"), {
        secrets: options.secrets(),
        toleranceSeconds: options.toleranceSeconds,
        ...(options.now && { now: options.now }),
      });
    let attempt: DeliveryAttempt;
    try {
      let signature: ReturnType<typeof verifySignature>;
      try {
        signature = verify();
      } catch (error) {
        // No known secret signed it, or none is known yet: one may have been stored since the last load.
        const unknownSecret =
          (error instanceof SignatureError && error.code === "signature_mismatch") || error instanceof ConfigError;
        if (!(options.reloadSecrets && unknownSecret)) throw error;
        await options.reloadSecrets();
        signature = verify();
      }
      const { envelope } = parseEvent(body);
      attempt = {
        ...base,
        signatureTimestamp: signature.timestamp,
        event: { envelope, body },
        rejection: null,
      };
    } catch (error) {
      if (error instanceof InboxError) return reject(error, base, started, deliveryId);
      throw error;
    }
    const id = attempt.event?.envelope.id;
    const type = attempt.event?.envelope.type;
    try {
      const recorder = await options.recorder();
      const { duplicate } = await recorder.submit(attempt);
      if (log.isLevelEnabled("debug")) {
        log.debug({ deliveryId, eventId: id, type, duplicate }, "delivery stored");
      }
      if (!duplicate) options.onEventStored?.();
      answered(duplicate ? "duplicate" : "stored", null, started);
      return jsonReply(200, { received: true, id, duplicate });
    } catch (error) {
      const unavailable = error instanceof StoreUnavailableError ? error : toStoreUnavailable(error);
      log.error({ deliveryId, eventId: id, type, err: unavailable.cause ?? unavailable }, unavailable.message);
      answered("unavailable", unavailable.code, started);
      return errorReply(unavailable, { "retry-after": RETRY_AFTER_SECONDS });
    }
  };
}
