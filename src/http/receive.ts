import type { Logger } from "pino";
import { InboxError, StoreUnavailableError } from "../errors.js";
import { parseEvent } from "../inbox/parse-event.js";
import type { DeliveryAttempt, DeliveryRecorder } from "../inbox/record-deliveries.js";
import { toStoreUnavailable } from "../store/unavailable.js";
import { verifySignature } from "../verify/verify.js";
import { type IncomingDelivery, PayloadTooLarge, type WebhookReply } from "./delivery.js";
import { errorReply, jsonReply } from "./replies.js";

export interface ReceiverOptions {
  /** Read on every request, so secrets added at run time are honoured without a restart. */
  secrets: () => readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** The recorder, once the store is open; rejects with StoreUnavailableError when it cannot be opened. */
  recorder: () => Promise<DeliveryRecorder>;
  log: Logger;
  /** Told after a commit that stored a new event, to wake a local worker at once. */
  onEventStored?: () => void;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
}

export type WebhookReceiver = (delivery: IncomingDelivery) => Promise<WebhookReply>;

const RETRY_AFTER_SECONDS = "5";

/** receive -> verify -> record -> ack. Answers 2xx only after the delivery's transaction has committed. */
export function createWebhookReceiver(options: ReceiverOptions): WebhookReceiver {
  const { log } = options;

  const reject = async (error: InboxError, base: Omit<DeliveryAttempt, "event" | "rejection">) => {
    log.warn({ code: error.code, source: base.sourceAddress, bytes: base.bodyBytes }, error.message);
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
    const base = { receivedAt, bodyBytes: 0, sourceAddress: delivery.sourceAddress, signatureTimestamp: null };
    if (delivery.method !== "POST") {
      return reject(new InboxError("method_not_allowed", 405, "Stripe delivers webhooks with POST."), base);
    }
    let body: Uint8Array;
    try {
      body = await delivery.readBody(options.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLarge) return reject(error, { ...base, bodyBytes: error.bytesSeen });
      return reject(new InboxError("body_incomplete", 400, "The request body could not be read to its end."), base);
    }
    base.bodyBytes = body.byteLength;
    let attempt: DeliveryAttempt;
    try {
      const signature = verifySignature(body, delivery.header("stripe-signature"), {
        secrets: options.secrets(),
        toleranceSeconds: options.toleranceSeconds,
        ...(options.now && { now: options.now }),
      });
      const { envelope } = parseEvent(body);
      attempt = {
        ...base,
        signatureTimestamp: signature.timestamp,
        event: { envelope, body },
        rejection: null,
      };
    } catch (error) {
      if (error instanceof InboxError) return reject(error, base);
      throw error;
    }
    const id = attempt.event?.envelope.id;
    try {
      const recorder = await options.recorder();
      const { duplicate } = await recorder.submit(attempt);
      log.debug({ eventId: id, type: attempt.event?.envelope.type, duplicate }, "delivery stored");
      if (!duplicate) options.onEventStored?.();
      return jsonReply(200, { received: true, id, duplicate });
    } catch (error) {
      const unavailable = error instanceof StoreUnavailableError ? error : toStoreUnavailable(error);
      log.error({ eventId: id, err: unavailable.cause ?? unavailable }, unavailable.message);
      return errorReply(unavailable, { "retry-after": RETRY_AFTER_SECONDS });
    }
  };
}
