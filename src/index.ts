export { configFromEnv, type InboxConfig, parseSecrets } from "./config.js";
export { createInbox, type Inbox, type InboxOptions, type WorkerSettings } from "./create-inbox.js";
export {
  ConfigError,
  InboxError,
  PayloadError,
  SignatureError,
  type SignatureErrorCode,
  StoreUnavailableError,
} from "./errors.js";
export type { IncomingDelivery, WebhookReply } from "./http/delivery.js";
export { createFetchHandler } from "./http/fetch.js";
export type { WebhookReceiver } from "./http/receive.js";
export { createInboxServer, DEFAULT_WEBHOOK_PATH, type InboxServer } from "./http/server.js";
export type { EventEnvelope } from "./inbox/parse-event.js";
export type { Queryable, Store } from "./store/store.js";
export { parseSignatureHeader, type SignatureHeader } from "./verify/header.js";
export { computeSignature, type SignOptions, sign } from "./verify/sign.js";
export {
  DEFAULT_TOLERANCE_SECONDS,
  type VerifiedSignature,
  type VerifyOptions,
  verifySignature,
} from "./verify/verify.js";
export type { EventFor, EventPattern, StripeEventType } from "./worker/event-types.js";
export type { Handler, HandlerContext, HandlerOptions } from "./worker/registry.js";
export { type ReplayFilter, type ReplayResult, replay } from "./worker/replay.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./worker/retry.js";
