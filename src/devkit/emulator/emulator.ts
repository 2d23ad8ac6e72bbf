import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { type Logger, silentLogger } from "../../log.js";
import { AccountStores } from "./accounts.js";
import type { EmulatorCore, Route } from "./core.js";
import { DEFAULT_DELIVERY_RETRY_SCHEDULE_MS, type DeliveryAttempt, WebhookDelivery } from "./delivery.js";
import { EventLog } from "./events.js";
import type { VirtualFields } from "./expand.js";
import { type FaultSettings, parseFaults } from "./faults.js";
import { createApiHandler, type RecordedRequest } from "./http.js";
import { Journal, type SavedAnswer } from "./journal.js";
import { journalSnapshot, replayJournal } from "./journal-replay.js";
import { balanceRoutes } from "./resources/balance.js";
import { billingMeterEventRoutes } from "./resources/billing-meter-events.js";
import { billingMeterRoutes } from "./resources/billing-meters.js";
import { billingPortalRoutes } from "./resources/billing-portal.js";
import { cashBalanceRoutes } from "./resources/cash-balances.js";
import { chargeRoutes } from "./resources/charges.js";
import { checkoutRoutes } from "./resources/checkout.js";
import { connectedAccountRoutes } from "./resources/connected-accounts.js";
import { controlRoutes } from "./resources/control.js";
import { couponRoutes } from "./resources/coupons.js";
import { creditNoteRoutes } from "./resources/credit-notes.js";
import { customerSourceRoutes } from "./resources/customer-sources.js";
import { customerRoutes } from "./resources/customers.js";
import { discountRoutes } from "./resources/discounts.js";
import { disputeRoutes } from "./resources/disputes.js";
import { eventRoutes } from "./resources/events.js";
import { verificationSessionRoutes } from "./resources/identity-verification-sessions.js";
import { invoiceItemRoutes } from "./resources/invoice-items.js";
import { invoicePaymentRoutes } from "./resources/invoice-payments.js";
import { invoicePreviewRoutes } from "./resources/invoice-previews.js";
import { issuingRoutes } from "./resources/issuing/routes.js";
import { mandateRoutes } from "./resources/mandates.js";
import { paymentIntentRoutes } from "./resources/payment-intents.js";
import { paymentLinkRoutes } from "./resources/payment-links.js";
import { paymentMethodRoutes } from "./resources/payment-methods.js";
import { payoutRoutes } from "./resources/payouts.js";
import { planRoutes } from "./resources/plans.js";
import { priceRoutes } from "./resources/prices.js";
import { productRoutes } from "./resources/products.js";
import { quoteRoutes } from "./resources/quotes.js";
import { refundRoutes } from "./resources/refunds.js";
import { reportingRoutes } from "./resources/reporting/routes.js";
import { setupIntentRoutes } from "./resources/setup-intents.js";
import { subscriptionCycleRoutes } from "./resources/subscription-cycle.js";
import { subscriptionDiscountRoutes } from "./resources/subscription-discounts.js";
import { subscriptionScheduleRoutes } from "./resources/subscription-schedules.js";
import { subscriptionRoutes } from "./resources/subscriptions.js";
import { taxRateRoutes } from "./resources/tax-rates.js";
import { onTestClockTime, testClockRoutes } from "./resources/test-clocks.js";
import { topupRoutes } from "./resources/topups.js";
import { transferRoutes } from "./resources/transfers.js";
import { webhookEndpointRoutes } from "./resources/webhook-endpoints.js";
import { completeObject } from "./schema/complete.js";
import { stripeSchema } from "./schema/load.js";
import type { SchemaEndpoint } from "./schema/types.js";
import { searchRoutes } from "./search/routes.js";
import { Timeline } from "./timeline.js";

export const DEFAULT_EMULATOR_PORT = 12111;

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 12111; 0 for any free port. */
  port?: number;
  /** The time objects and events are stamped with; injectable for tests. */
  clock?: () => Date;
  /** Milliseconds to wait before each retry of a failed delivery; its length is the number of retries. */
  deliveryRetrySchedule?: readonly number[];
  /** How long a webhook endpoint may take to answer before the attempt counts as failed. Default 10 s. */
  deliveryTimeoutMs?: number;
  faults?: FaultSettings;
  /**
   * The account's API version: the one events carry, and webhook endpoints created without `api_version` receive.
   * Default: the version of the installed `stripe` package, the only one the emulator's objects are shaped in.
   */
  apiVersion?: string;
  /**
   * Keep the state in this directory (`emulator --data`): objects, events and idempotent answers survive a
   * restart and a kill -9. Without it the state lives in memory only.
   */
  dataDir?: string;
  logger?: Logger;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:12111`: what `STRIPE_API_BASE` should be. */
  readonly url: string;
  readonly port: number;
  /** Replaces the fault switches (also `POST /_emulator/faults` with the same JSON). */
  setFaults(faults: FaultSettings): void;
  /** Every delivery attempt so far, in order. */
  deliveries(): readonly DeliveryAttempt[];
  /** Every API request so far, in order, with its `Stripe-Version` and `Idempotency-Key`. */
  requests(): readonly RecordedRequest[];
  /** Every event emitted so far, oldest first. */
  events(): readonly Stripe.Event[];
  /** The Stripe endpoints it serves; the schema's other endpoints answer 404 as an unknown URL. */
  implementedEndpoints(): readonly SchemaEndpoint[];
  /** Resolves when no delivery is queued or in flight and, unless `includeRetries` is false, none waits to retry. */
  deliveriesSettled(options?: { includeRetries?: boolean; timeoutMs?: number }): Promise<void>;
  /** Empties the state, on disk too: every account's objects, events, idempotent answers, deliveries (also `POST /_emulator/reset`). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a stateful, in-memory stand-in for the Stripe API that also delivers signed webhooks. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? (() => new Date());
  const log = options.logger ?? silentLogger;
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  let faults = parseFaults(options.faults);
  const faultSwitch = {
    get: () => faults,
    set: (next: FaultSettings) => {
      faults = parseFaults(next);
    },
  };
  const opened = options.dataDir === undefined ? undefined : Journal.open(options.dataDir, log);
  const journal = opened?.journal;
  const accounts = new AccountStores((account) => journal?.writesOf(account));
  const idempotent = new Map<string, SavedAnswer>();
  const delivery = new WebhookDelivery({
    accounts,
    retrySchedule: options.deliveryRetrySchedule ?? DEFAULT_DELIVERY_RETRY_SCHEDULE_MS,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    faults: () => faults,
    apiVersion,
    log,
  });
  const timeline = new Timeline(() => Math.floor(clock().getTime() / 1000));
  const now = () => timeline.now();
  let baseUrl = "";
  const schema = stripeSchema();
  const events = new EventLog(
    accounts,
    now,
    apiVersion,
    (event) => delivery.dispatch(event),
    (object) => completeObject(schema, object),
  );
  if (opened) {
    const state = { accounts, events, idempotent };
    replayJournal(opened.lines, state, now());
    // Compacted at each start: a line torn by a crash is dropped rather than appended to.
    opened.journal.rewrite(journalSnapshot(state));
  }
  const reset = () => {
    accounts.clear();
    events.all.length = 0;
    idempotent.clear();
    delivery.clear();
    journal?.reset();
  };
  const core: EmulatorCore = {
    get store() {
      return accounts.store();
    },
    accounts,
    now,
    atTime: (time, work) => timeline.at(time, work),
    events,
    virtualFields: new Map() as VirtualFields,
    baseUrl: () => baseUrl,
  };
  const routes: Route[] = onTestClockTime(core, [
    ...customerRoutes(core),
    ...customerSourceRoutes(core),
    ...paymentMethodRoutes(core),
    ...paymentIntentRoutes(core),
    ...chargeRoutes(core),
    ...refundRoutes(core),
    ...disputeRoutes(core),
    ...productRoutes(core),
    ...priceRoutes(core),
    ...setupIntentRoutes(core),
    ...subscriptionRoutes(core),
    ...subscriptionDiscountRoutes(core),
    ...invoiceItemRoutes(core),
    ...creditNoteRoutes(core),
    ...couponRoutes(core),
    ...discountRoutes(core),
    ...planRoutes(core),
    ...invoicePaymentRoutes(core),
    ...invoicePreviewRoutes(core),
    ...taxRateRoutes(core),
    ...balanceRoutes(core),
    ...payoutRoutes(core),
    ...topupRoutes(core),
    ...connectedAccountRoutes(core),
    ...transferRoutes(core),
    ...issuingRoutes(core),
    ...verificationSessionRoutes(core),
    ...reportingRoutes(core),
    ...billingPortalRoutes(core),
    ...paymentLinkRoutes(core),
    ...subscriptionCycleRoutes(core),
    ...testClockRoutes(core),
    ...subscriptionScheduleRoutes(core),
    ...quoteRoutes(core),
    ...checkoutRoutes(core),
    ...webhookEndpointRoutes(core),
    ...cashBalanceRoutes(core),
    ...mandateRoutes(core),
    ...billingMeterRoutes(core),
    ...billingMeterEventRoutes(core),
    ...eventRoutes(core),
    ...searchRoutes(core),
    ...controlRoutes(core, { faults: faultSwitch, deliveries: () => delivery.attempts, reset }),
  ]);
  const api = createApiHandler({ core, routes, schema, apiVersion, faults: faultSwitch, idempotent, journal, log });
  const server = createServer((req, res) => void api.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_EMULATOR_PORT, options.host ?? "127.0.0.1", () => resolve());
  }).catch((error: unknown) => {
    journal?.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    url: baseUrl,
    port: address.port,
    setFaults: faultSwitch.set,
    deliveries: () => delivery.attempts,
    requests: () => api.requests,
    events: () => [...events.all],
    implementedEndpoints: () => api.router.implemented,
    async deliveriesSettled({ includeRetries = true, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (!delivery.idle(includeRetries)) {
        if (Date.now() > deadline) throw new Error(`webhook deliveries still pending after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    reset,
    async close() {
      delivery.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      journal?.close();
    },
  };
}
