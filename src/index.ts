export { configFromEnv, type InboxConfig, parseSecrets } from "./config.js";
export { createInbox, type Inbox, type InboxOptions, type WorkerSettings } from "./create-inbox.js";
export { createDashboard, type Dashboard, type DashboardOptions } from "./dashboard/dashboard.js";
export {
  DEFAULT_EMULATOR_PORT,
  type EmulatorOptions,
  type FaultSettings,
  type RunningEmulator,
  startEmulator,
} from "./devkit/emulator/index.js";
export { type RegisteredEndpoint, type RegisterRequest, registerWebhookEndpoint } from "./devkit/register.js";
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
export { createInboxServer, type DashboardRoutes, DEFAULT_WEBHOOK_PATH, type InboxServer } from "./http/server.js";
export type { EventEnvelope } from "./inbox/parse-event.js";
export { createLogger, type LoggerSettings } from "./log.js";
export type { DeliveryOutcome, InboxMetrics } from "./metrics/inbox-metrics.js";
export type { QueueState } from "./metrics/queue-state.js";
export { type ApplyOutcome, createMirror, type Mirror, type MirrorOptions } from "./mirror/apply.js";
export { BACKFILL_TYPES, type BackfillOptions, type BackfillProgress, backfill } from "./mirror/backfill.js";
export { MIRROR_HANDLER_NAME, registerMirror } from "./mirror/handler.js";
export { DEFAULT_MIRROR_SCHEMA, migrateMirror } from "./mirror/migrate.js";
export { type ReconcileResult, reconcile } from "./mirror/reconcile.js";
export { REVALIDATE_TYPES } from "./mirror/revalidate.js";
export { pluralize, tableForObject } from "./mirror/table-names.js";
export type { Queryable, Store } from "./store/store.js";
export { parseSignatureHeader, type SignatureHeader } from "./verify/header.js";
export { computeSignature, type SignOptions, sign } from "./verify/sign.js";
export {
  DEFAULT_TOLERANCE_SECONDS,
  type VerifiedSignature,
  type VerifyOptions,
  verifySignature,
} from "./verify/verify.js";
export type { BatchWriter, DeferOptions } from "./worker/deferred-writes.js";
export type { EventFor, EventPattern, StripeEventType } from "./worker/event-types.js";
export type { HandlerControl, HandlerPause, HandlerState, PausedBy } from "./worker/handler-pauses.js";
export type { Handler, HandlerContext, HandlerOptions } from "./worker/registry.js";
export {
  type ReplayFilter,
  type ReplayOptions,
  type ReplayResult,
  type ReplayStatus,
  replay,
} from "./worker/replay.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./worker/retry.js";
