// The package's public API. Everything else under src/ is internal and may change in any release.

export { configFromEnv, type InboxConfig } from "./config.js";
export {
  type Clock,
  createInbox,
  type Inbox,
  type InboxOptions,
  type MirrorSettings,
  type NotReadyReason,
  type Readiness,
  type ReceiveSettings,
  type RetentionSettings,
  type StripeSettings,
  type WorkerSettings,
} from "./create-inbox.js";
export { createDashboard, type Dashboard, type DashboardOptions } from "./dashboard/dashboard.js";
export {
  type EmulatorOptions,
  type FaultSettings,
  type RunningEmulator,
  startEmulator,
} from "./devkit/emulator/index.js";
export {
  AdminAccessError,
  type AdminAccessErrorCode,
  ConfigError,
  INBOX_ERROR_CODES,
  InboxError,
  type InboxErrorCode,
  isInboxErrorCode,
  PayloadError,
  type PayloadErrorCode,
  ReceiverBusyError,
  SignatureError,
  type SignatureErrorCode,
  StoreUnavailableError,
  StripeRequestError,
  TriggerRequestError,
} from "./errors.js";
export type { IncomingDelivery, WebhookReply } from "./http/delivery.js";
export type { WebhookReceiver } from "./http/receive.js";
export { createInboxServer, type DashboardRoutes, type InboxServer, type InboxServerOptions } from "./http/server.js";
export { createLogger, type LoggerSettings } from "./log.js";
export type { DeliveryOutcome, InboxMetrics } from "./metrics/inbox-metrics.js";
export type { BackfillOptions, BackfillProgress } from "./mirror/backfill.js";
export type { ReconcileOptions, ReconcileResult } from "./mirror/reconcile.js";
export type { PruneResult } from "./retention/prune.js";
export type { Queryable, Store } from "./store/store.js";
export { type SignOptions, sign } from "./verify/sign.js";
export { type VerifiedSignature, type VerifyOptions, verifySignature } from "./verify/verify.js";
export type { BatchWriter, DeferOptions } from "./worker/deferred-writes.js";
export type { EventFor, EventPattern, StripeEventType } from "./worker/event-types.js";
export type { HandlerControl, HandlerPause, HandlerState, PausedBy } from "./worker/handler-pauses.js";
export type { Handler, HandlerContext, HandlerOptions } from "./worker/registry.js";
export type { ReplayFilter, ReplayResult, ReplayStatus } from "./worker/replay.js";
export type { RetryPolicy } from "./worker/retry.js";
