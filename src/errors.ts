/**
 * Every error the library throws or answers, in one place. Each has a stable `code` from `InboxErrorCode` (counted in
 * metrics, matched by callers) and the HTTP status it is answered with.
 */

export const INBOX_ERROR_CODES = [
  // Receiving: the signature, the body, the receiver's own bounds.
  "signature_missing",
  "signature_header_malformed",
  "signature_mismatch",
  "timestamp_outside_tolerance",
  "payload_malformed",
  "payload_encoding_invalid",
  "payload_not_event",
  "payload_too_large",
  "body_incomplete",
  "method_not_allowed",
  "receiver_busy",
  "store_unavailable",
  "config_invalid",
  // The admin API, the CLI and the inbox's operations.
  "invalid_request",
  "cursor_invalid",
  "not_found",
  "event_not_found",
  "no_match",
  "replay_unfiltered",
  "handler_name_invalid",
  "admin_token_required",
  "admin_token_invalid",
  "admin_token_not_configured",
  "admin_host_refused",
  "cross_site_refused",
  "content_type_json_required",
  "admin_api_failed",
  // Talking to the Stripe API (or the emulator).
  "stripe_request_failed",
  "endpoint_secret_not_stored",
  "trigger_request_failed",
  "fixture_without_event",
] as const;

export type InboxErrorCode = (typeof INBOX_ERROR_CODES)[number];

export function isInboxErrorCode(code: unknown): code is InboxErrorCode {
  return typeof code === "string" && (INBOX_ERROR_CODES as readonly string[]).includes(code);
}

export class InboxError extends Error {
  override name = "InboxError";
  constructor(
    readonly code: InboxErrorCode,
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

export type PayloadErrorCode =
  | "payload_malformed"
  | "payload_encoding_invalid"
  | "payload_not_event"
  | "payload_too_large";

/**
 * The body is not something we can store: too large, not UTF-8 as Stripe sends it (a byte order mark, another
 * encoding, NUL bytes), not JSON, or JSON that is not a Stripe event.
 */
export class PayloadError extends InboxError {
  override name = "PayloadError";
  constructor(code: PayloadErrorCode, message: string) {
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

export type AdminAccessErrorCode =
  | "admin_token_required"
  | "admin_token_invalid"
  | "admin_token_not_configured"
  | "admin_host_refused"
  | "cross_site_refused"
  | "content_type_json_required";

/** A request the admin API refuses: no or a wrong token, a non-loopback host without one, a cross-site request. */
export class AdminAccessError extends InboxError {
  override name = "AdminAccessError";
  constructor(code: AdminAccessErrorCode, status: 401 | 403 | 415, message: string) {
    super(code, status, message);
  }
}

/** The Stripe API refused or could not be reached; `cause` keeps the client's error. */
export class StripeRequestError extends InboxError {
  override name = "StripeRequestError";
  constructor(message: string, cause: unknown) {
    super("stripe_request_failed", 502, message, { cause });
  }
}

/** A trigger fixture's request was answered with an error it was not expected to give. */
export class TriggerRequestError extends InboxError {
  override name = "TriggerRequestError";
  constructor(request: { method: string; path: string; name: string }, status: number, message: string) {
    super(
      "trigger_request_failed",
      502,
      `${request.method.toUpperCase()} ${request.path} (${request.name}) answered ${status}: ${message}`,
    );
  }
}

/** Internal to a worker: the claim was no longer this worker's when the handler first used its transaction. */
export class RunLostError extends Error {
  override name = "RunLostError";
}
