import { InboxError } from "../../errors.js";

export type StripeErrorType = "invalid_request_error" | "api_error" | "card_error" | "idempotency_error";

/** An error answered in Stripe's shape, `{error:{type,code,message,param}}`, so clients raise their own error classes. */
export class StripeApiError extends InboxError {
  override name = "StripeApiError";
  constructor(
    status: number,
    readonly type: StripeErrorType,
    code: string,
    message: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code, status, message);
  }

  body(requestId: string): { error: Record<string, unknown> } {
    return {
      error: {
        type: this.type,
        ...(this.code !== "" && { code: this.code }),
        message: this.message,
        ...(this.param !== undefined && { param: this.param }),
        ...this.extra,
        request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
      },
    };
  }
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

export function invalidParam(param: string, message: string, code = "parameter_invalid"): StripeApiError {
  return new StripeApiError(400, "invalid_request_error", code, message, param);
}

/** Stripe names the object type in words: "No such customer: 'cus_123'". */
export function noSuch(objectName: string, id: string, param = "id"): StripeApiError {
  return new StripeApiError(404, "invalid_request_error", "resource_missing", `No such ${objectName}: '${id}'`, param);
}

export function unexpectedState(message: string, code = "payment_intent_unexpected_state"): StripeApiError {
  return new StripeApiError(400, "invalid_request_error", code, message);
}
