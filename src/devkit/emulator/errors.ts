export type StripeErrorType = "invalid_request_error" | "api_error" | "card_error" | "idempotency_error";

/**
 * An error answered in Stripe's shape, `{error:{type,code,doc_url,message,param}}`, so clients raise their own error
 * classes. Stripe links each code to its page, with hyphens: `parameter_missing` has
 * `https://stripe.com/docs/error-codes/parameter-missing`. The emulator's side of Stripe's API, so its codes are
 * Stripe's, not the library's `InboxErrorCode`s.
 */
export class StripeApiError extends Error {
  override name = "StripeApiError";
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(requestId: string): { error: Record<string, unknown> } {
    return {
      error: {
        type: this.type,
        ...(this.code !== "" && { code: this.code, doc_url: docUrl(this.code) }),
        message: this.message,
        ...(this.param !== undefined && { param: this.param }),
        ...this.extra,
        request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
      },
    };
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll("_", "-")}`;
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    "parameter_missing",
    `Missing required param: ${param}.`,
    param,
  );
}

/** A value Stripe refuses; most such errors carry no code (`Invalid boolean: yes`), a few do (`parameter_invalid_integer`). */
export function invalidParam(param: string, message: string, code = ""): StripeApiError {
  return new StripeApiError(400, "invalid_request_error", code, message, param);
}

export function unknownParam(param: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    "parameter_unknown",
    `Received unknown parameter: ${param}`,
    param,
  );
}

/** `''` unsets a field in Stripe's form encoding; a field that cannot be unset refuses it. */
export function emptyParam(param: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    "parameter_invalid_empty",
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    param,
  );
}

/** Stripe names the object type in words: "No such customer: 'cus_123'". */
export function noSuch(objectName: string, id: string, param = "id"): StripeApiError {
  return new StripeApiError(404, "invalid_request_error", "resource_missing", `No such ${objectName}: '${id}'`, param);
}

export function unexpectedState(message: string, code = "payment_intent_unexpected_state"): StripeApiError {
  return new StripeApiError(400, "invalid_request_error", code, message);
}
