import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { ConfigError, InboxError, ReceiverBusyError, SignatureError, StoreUnavailableError } from "../errors.js";
import { parseEvent } from "../inbox/parse-event.js";
import type { DeliveryAttempt, DeliveryRecorder } from "../inbox/record-deliveries.js";
import type { DeliveryOutcome } from "../metrics/inbox-metrics.js";
import { toStoreUnavailable } from "../store/unavailable.js";
import { parseSignatureHeader } from "../verify/header.js";
import { explainedMismatch, verifySignature } from "../verify/verify.js";
import { checkDeclaredLength, type IncomingDelivery, PayloadTooLarge, type WebhookReply } from "./delivery.js";
import { errorReply, jsonReply } from "./replies.js";
import { DEFAULT_MAX_UNVERIFIED_BYTES, UnverifiedBodies, type UnverifiedBody } from "./unverified-bodies.js";

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
  /**
   * Bytes of bodies read or being verified at once (declared by Content-Length, else `maxBodyBytes` each); past it,
   * deliveries are answered 503 `receiver_busy` with Retry-After before their body is read. Default 16 MiB.
   */
  maxUnverifiedBytes?: number;
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
const BUSY_RETRY_AFTER_SECONDS = "1";

/**
 * Names each HTTP delivery in the log lines about it (`deliveryId`): a prefix per process and a counter, so that
 * the lines of one attempt (rejected, stored, or answered 503) can be told from another's for the same event.
 */
function busy(): ReceiverBusyError {
  return new ReceiverBusyError(
    "Too many request bodies are being received before their signature is checked; retry in a moment.",
  );
}

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

  const maxUnverifiedBytes = options.maxUnverifiedBytes ?? DEFAULT_MAX_UNVERIFIED_BYTES;
  // NaN would silently disable the bound (`bytes > NaN` is never true).
  if (!(Number.isInteger(maxUnverifiedBytes) && maxUnverifiedBytes > 0)) {
    throw new ConfigError(`maxUnverifiedBytes must be a positive integer, not ${maxUnverifiedBytes}.`);
  }
  const unverified = new UnverifiedBodies(maxUnverifiedBytes);

  const reject = async (
    error: InboxError,
    base: Omit<DeliveryAttempt, "event" | "rejection">,
    started: number,
    deliveryId: string,
    bodyUnread = false,
  ) => {
    answered(error.status >= 500 ? "unavailable" : "rejected", error.code, started);
    // The unverified body and the signature header are never logged: only why, from where, and how large.
    const context = { deliveryId, code: error.code, source: base.sourceAddress, bytes: base.bodyBytes };
    // A rejection is recorded for the delivery log, but its answer never waits on, or fails with, the store.
    options.recorder().then(
      (recorder) => {
        const recorded = recorder.recordRejection({
          ...base,
          event: null,
          rejection: { code: error.code, message: error.message },
        });
        // Past a few a minute per reason and source, rejections are counted in one row, and logged at debug level.
        if (recorded.recording === "row") log.warn(context, error.message);
        else log.debug(context, error.message);
        if (recorded.recording === "first_counted") {
          log.warn(
            { code: error.code, source: base.sourceAddress },
            "more rejections like this one: counting them in one delivery row until the minute is over, and logging them at debug level",
          );
        }
        recorded.written.catch((storeError: unknown) =>
          log.error({ err: storeError }, "could not record a rejected delivery"),
        );
      },
      (storeError: unknown) => {
        log.warn(context, error.message);
        log.error({ err: storeError }, "could not record a rejected delivery");
      },
    );
    const headers: Record<string, string> = {};
    // The body was left unread (too large, or refused before it): the connection cannot carry another request.
    if (bodyUnread || error instanceof PayloadTooLarge || error instanceof ReceiverBusyError) {
      headers.connection = "close";
    }
    if (error instanceof ReceiverBusyError) headers["retry-after"] = BUSY_RETRY_AFTER_SECONDS;
    if (error.code === "method_not_allowed") headers.allow = "POST";
    return errorReply(error, headers);
  };

  /** The verified, parsed delivery; throws the InboxError to answer otherwise. Sets `base.bodyBytes` once read. */
  const readAndVerify = async (
    delivery: IncomingDelivery,
    base: Omit<DeliveryAttempt, "event" | "rejection">,
    share: UnverifiedBody,
  ): Promise<DeliveryAttempt> => {
    const cover = (bytes: number) => {
      if (!share.cover(bytes)) throw busy();
    };
    let body: Uint8Array;
    try {
      body = await delivery.readBody(options.maxBodyBytes, cover);
    } catch (error) {
      if (error instanceof PayloadTooLarge || error instanceof ReceiverBusyError) throw error;
      throw new InboxError("body_incomplete", 400, "The request body could not be read to its end.");
    }
    base.bodyBytes = body.byteLength;
    // An adapter that does not report its chunks is accounted for once the body is in memory.
    cover(body.byteLength);
    const header = delivery.header("stripe-signature");
    let secrets: readonly string[] | null = null;
    const verify = (explainMismatch: boolean) => {
      secrets = options.secrets();
      return verifySignature(body, header, {
        secrets,
        toleranceSeconds: options.toleranceSeconds,
        explainMismatch,
        ...(options.now && { now: options.now }),
      });
    };
    let signature: ReturnType<typeof verifySignature>;
    try {
      // Explained only once: the explanation costs more than the check, and anyone can send a forged body.
      signature = verify(!options.reloadSecrets);
    } catch (error) {
      // No known secret signed it, or none is known yet: one may have been stored since the last load.
      const mismatch = error instanceof SignatureError && error.code === "signature_mismatch";
      if (!(options.reloadSecrets && (mismatch || error instanceof ConfigError))) throw error;
      const tried = secrets;
      await options.reloadSecrets();
      // The same secrets as before: nothing to check again, only the explanation to give.
      if (mismatch && tried !== null && options.secrets() === tried) throw explainedMismatch(body, header, tried);
      signature = verify(true);
    }
    const { envelope } = parseEvent(body);
    return { ...base, signatureTimestamp: signature.timestamp, event: { envelope, body }, rejection: null };
  };

  return async (delivery) => {
    const receivedAt = new Date();
    const started = performance.now();
    const deliveryId = nextDeliveryId();
    const base: Omit<DeliveryAttempt, "event" | "rejection"> = {
      receivedAt,
      bodyBytes: 0,
      sourceAddress: delivery.sourceAddress,
      signatureTimestamp: null,
    };
    if (delivery.method !== "POST") {
      return reject(
        new InboxError("method_not_allowed", 405, "Stripe delivers webhooks with POST."),
        base,
        started,
        deliveryId,
      );
    }
    const declared = Number(delivery.header("content-length") ?? Number.NaN);
    const declaredBytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, options.maxBodyBytes) : 0;
    try {
      checkDeclaredLength(delivery.header("content-length"), options.maxBodyBytes);
      // Without a well-formed signature header a request cannot verify: refused before a byte of its body is read.
      parseSignatureHeader(delivery.header("stripe-signature"));
    } catch (error) {
      if (error instanceof PayloadTooLarge) {
        return reject(error, { ...base, bodyBytes: error.bytesSeen }, started, deliveryId);
      }
      if (!(error instanceof InboxError)) throw error;
      const hasBody = declaredBytes > 0 || delivery.header("transfer-encoding") !== null;
      return reject(error, { ...base, bodyBytes: declaredBytes }, started, deliveryId, hasBody);
    }
    // Stripe declares every body's length: reserved before a byte is read, so a crowd of large ones waits outside.
    const share = unverified.admit(declaredBytes);
    if (!share) return reject(busy(), base, started, deliveryId);
    let attempt: DeliveryAttempt;
    try {
      attempt = await readAndVerify(delivery, base, share);
    } catch (error) {
      if (error instanceof PayloadTooLarge) {
        return reject(error, { ...base, bodyBytes: error.bytesSeen }, started, deliveryId);
      }
      if (error instanceof InboxError) return reject(error, base, started, deliveryId);
      throw error;
    } finally {
      share.release();
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
