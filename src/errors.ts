/** Every failure we answer or report has a stable `code` (counted in metrics, matched by callers) and an HTTP status. */
export class InboxError extends Error {
  override name = "InboxError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `Stripe-Signature` header is missing, malformed, stale or made with another secret. */
export class SignatureError extends InboxError {
  override name = "SignatureError";
  constructor(code: SignatureErrorCode, message: string) {
    super(code, 400, message);
  }
}
export type SignatureErrorCode =
  | "signature_missing"
  | "signature_header_malformed"
  | "signature_mismatch"
  | "timestamp_outside_tolerance";

/**
 * The body is not something we can store: too large, not UTF-8 as Stripe sends it (a byte order mark, another
 * encoding, NUL bytes), not JSON, or JSON that is not a Stripe event.
 */
export class PayloadError extends InboxError {
  override name = "PayloadError";
  constructor(
    code: "payload_malformed" | "payload_encoding_invalid" | "payload_not_event" | "payload_too_large",
    message: string,
  ) {
    super(code, code === "payload_too_large" ? 413 : 400, message);
  }
}

/** Too many request bodies are being read before their signature is checked: answered 503 with Retry-After. */
export class ReceiverBusyError extends InboxError {
  override name = "ReceiverBusyError";
  constructor(message: string) {
    super("receiver_busy", 503, message);
  }
}

/** The store could not commit: the delivery is not acknowledged and Stripe will retry. */
export class StoreUnavailableError extends InboxError {
  override name = "StoreUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("store_unavailable", 503, message, options);
  }
}

/** Bad configuration: reported as one line by the CLI, thrown by the library. */
export class ConfigError extends InboxError {
  override name = "ConfigError";
  constructor(message: string) {
    super("config_invalid", 500, message);
  }
}
