import type { InboxError } from "../errors.js";
import type { WebhookReply } from "./delivery.js";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): WebhookReply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

export function errorReply(error: InboxError, headers: Record<string, string> = {}): WebhookReply {
  return jsonReply(error.status, { error: { code: error.code, message: error.message } }, headers);
}
