import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, missingParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { requestedDiscounts } from "./discount-redemption.js";
import { redeem } from "./discounts.js";
import { defaultPaymentMethod, payInvoice } from "./invoice-objects.js";
import { invoiceRoutes } from "./invoices.js";
import { customerPaymentMethod } from "./payment-methods.js";
import { announceDiscountChanges, requestedSubscriptionDiscounts } from "./subscription-discounts.js";
import { createSubscriptionInvoice, linesAmount } from "./subscription-invoices.js";
import { invoiceLinesFor, subscriptionItem } from "./subscription-items.js";
import { endTrialNow, trialSettings, warnOfTrialEnd } from "./subscription-trials.js";

const DAY = 86_400;

/** `/v1/subscriptions` and their invoices: create (first invoice paid at once), update, cancel, list. */
export function subscriptionRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Subscription>("subscription", id);
  return [
    {
      method: "POST",
      pattern: "/v1/subscriptions",
      handler: ({ params, legacy, request }) => createSubscription(core, params, request, {}, legacy),
    },
    { method: "GET", pattern: "/v1/subscriptions/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/subscriptions/:id",
      handler: ({ path, params, legacy, request }) =>
        updateSubscription(core, get(path.id as string), params, legacy ?? {}, request),
    },
    {
      method: "DELETE",
      pattern: "/v1/subscriptions/:id",
      handler: ({ path, request }) => {
        const subscription = get(path.id as string);
        if (subscription.status === "canceled") {
          throw new StripeApiError(
            404,
            "invalid_request_error",
            "resource_missing",
            `No such subscription: '${subscription.id}'`,
            "id",
          );
        }
        return cancelSubscription(core, subscription, request);
      },
    },
    {
      method: "GET",
      pattern: "/v1/subscriptions",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const price = optionalString(params, "price");
        // Stripe leaves canceled subscriptions out unless asked for them (`status=canceled` or `all`).
        const status = optionalString(params, "status");
        const inRange = createdFilter(params);
        const subscriptions = core.store
          .query<Stripe.Subscription>("subscription")
          .filter((sub) => (customer === undefined || sub.customer === customer) && inRange(sub.created))
          .filter((sub) => price === undefined || sub.items.data.some((item) => item.price.id === price))
          .filter((sub) =>
            status === undefined ? sub.status !== "canceled" : status === "all" || sub.status === status,
          );
        return paginate(subscriptions, params, url);
      },
    },
    ...invoiceRoutes(core, (invoice, request) => activateAfterPayment(core, invoice, request)),
  ];
}

/** Ends the subscription now: `customer.subscription.deleted`, as for a DELETE or the customer's deletion. */
export function cancelSubscription(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  request: RequestInfo,
  reason: Stripe.Subscription.CancellationDetails.Reason = "cancellation_requested",
) {
  const now = core.now();
  const previous = core.store.update(subscription, {
    status: "canceled",
    canceled_at: now,
    ended_at: now,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason },
  });
  core.events.emit("customer.subscription.deleted", subscription, request, previous);
  return subscription;
}

/**
 * `fields` are those its maker sets besides the parameters: the `schedule` that manages it. `legacy`: the `coupon` or
 * `promotion_code` of a request at a version before 2025-03-31.basil.
 */
export function createSubscription(
  core: EmulatorCore,
  params: Params,
  request: RequestInfo,
  fields: Partial<Stripe.Subscription> = {},
  legacy: Params = {},
): Stripe.Subscription {
  const customer = core.store.get<Stripe.Customer>("customer", requireString(params, "customer"), "customer");
  const itemParams = optionalArray(params, "items");
  if (!itemParams || itemParams.length === 0) throw missingParam("items");
  const now = core.now();
  const trialDays = optionalInteger(params, "trial_period_days");
  const trialEnd = trialDays ? now + trialDays * DAY : null;
  const id = stripeId("sub");
  const items = itemParams.map((item, index) =>
    subscriptionItem(core, id, item as Params, `items[${index}]`, now, trialEnd),
  );
  const currency = (items[0] as Stripe.SubscriptionItem).price.currency;
  let paymentMethod = optionalString(params, "default_payment_method") ?? null;
  if (paymentMethod !== null)
    paymentMethod = customerPaymentMethod(core, paymentMethod, customer.id, request, "default_payment_method").id;
  const collection = (optionalString(params, "collection_method") ??
    "charge_automatically") as Stripe.Subscription.CollectionMethod;
  const redemptions = requestedDiscounts(core, params, legacy, {
    customer: customer.id,
    currency,
    amount: trialEnd ? 0 : linesAmount(invoiceLinesFor(items)),
    reusable: customer.discount ? [customer.discount] : [],
  });
  const subscription = core.store.insert<Stripe.Subscription>({
    id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: trialEnd ?? now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: optionalBoolean(params, "cancel_at_period_end") ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: collection,
    created: now,
    currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: collection === "send_invoice" ? (optionalInteger(params, "days_until_due") ?? 30) : null,
    default_payment_method: paymentMethod,
    default_source: null,
    description: optionalString(params, "description") ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: "self" },
    },
    items: { object: "list", data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: mergeMetadata(params),
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    // An invoice sent for payment does not hold the subscription back; a charged one must be paid first.
    status: trialEnd ? "trialing" : collection === "send_invoice" ? "active" : "incomplete",
    test_clock: customer.test_clock ?? null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: trialSettings(params),
    trial_start: trialEnd ? now : null,
    ...fields,
  });
  const lines = invoiceLinesFor(items);
  // Stripe bills a trial's first period at zero.
  const billed = trialEnd ? lines.map((line) => ({ ...line, price: { ...line.price, unit_amount: 0 } })) : lines;
  const discounts = redeem(core, redemptions ?? [], { customer: customer.id, subscription: id });
  subscription.discounts = announceDiscountChanges(core, subscription, discounts, request);
  // Stripe announces the subscription as `incomplete` and, once the first invoice is paid, updates it to `active`.
  core.events.emit("customer.subscription.created", subscription, request);
  warnOfTrialEnd(core, subscription, request);
  const invoice = createSubscriptionInvoice(core, subscription, billed, "subscription_create", request);
  subscription.latest_invoice = invoice.id;
  const behavior = optionalString(params, "payment_behavior");
  // `default_incomplete` leaves the first payment to the client (Payment Element), so nothing is charged here.
  if (collection !== "charge_automatically" || (behavior === "default_incomplete" && !trialEnd)) return subscription;
  try {
    if (payInvoice(core, invoice, defaultPaymentMethod(core, invoice), request)) {
      activateAfterPayment(core, invoice, request);
    }
  } catch (error) {
    // A declined first payment leaves the subscription incomplete unless the caller asked for an error.
    if (!(error instanceof StripeApiError) || behavior === "error_if_incomplete") throw error;
  }
  return subscription;
}

function updateSubscription(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  params: Params,
  legacy: Params,
  request: RequestInfo,
) {
  if (subscription.status === "canceled") {
    throw invalidParam(
      "id",
      "A canceled subscription can only update its cancellation_details and metadata.",
      "resource_missing",
    );
  }
  if (optionalString(params, "trial_end") === "now") {
    endTrialNow(core, subscription, request, (message) => invalidParam("trial_end", message));
  }
  const changes: Partial<Stripe.Subscription> = { metadata: mergeMetadata(params, subscription.metadata) };
  const cancelAtPeriodEnd = optionalBoolean(params, "cancel_at_period_end");
  if (cancelAtPeriodEnd !== undefined) {
    changes.cancel_at_period_end = cancelAtPeriodEnd;
    changes.cancel_at = cancelAtPeriodEnd ? (subscription.items.data[0]?.current_period_end ?? null) : null;
  }
  const method = optionalString(params, "default_payment_method");
  if (method !== undefined) {
    changes.default_payment_method = customerPaymentMethod(
      core,
      method,
      subscription.customer as string,
      request,
      "default_payment_method",
    ).id;
  }
  const itemParams = optionalArray(params, "items");
  if (itemParams) changes.items = { ...subscription.items, data: updatedItems(core, subscription, itemParams) };
  const discounts = requestedSubscriptionDiscounts(core, subscription, params, legacy, changes.items?.data);
  if (discounts) changes.discounts = announceDiscountChanges(core, subscription, discounts, request);
  const previous = core.store.update(subscription, changes);
  if (Object.keys(previous).length > 0)
    core.events.emit("customer.subscription.updated", subscription, request, previous);
  return subscription;
}

/** `items[0][id]=si_..&items[0][price]=..` replaces an item's price; an item without `id` is added; `deleted` drops one. */
function updatedItems(
  core: EmulatorCore,
  subscription: Stripe.Subscription,
  itemParams: unknown[],
): Stripe.SubscriptionItem[] {
  const items = subscription.items.data.map((item) => ({ ...item }));
  itemParams.forEach((raw, index) => {
    const param = raw as Params;
    const id = optionalString(param, "id");
    const existing = id === undefined ? undefined : items.find((item) => item.id === id);
    if (id !== undefined && !existing)
      throw invalidParam(`items[${index}][id]`, `No such subscription item: '${id}'`, "resource_missing");
    if (existing && optionalBoolean(param, "deleted")) {
      items.splice(items.indexOf(existing), 1);
      return;
    }
    if (existing) {
      const price = optionalString(param, "price");
      if (price) existing.price = core.store.get<Stripe.Price>("price", price, `items[${index}][price]`);
      existing.quantity = optionalInteger(param, "quantity") ?? existing.quantity ?? 1;
      return;
    }
    const first = subscription.items.data[0];
    items.push(
      subscriptionItem(
        core,
        subscription.id,
        param,
        `items[${index}]`,
        first?.current_period_start ?? core.now(),
        null,
      ),
    );
  });
  return items;
}

/** An incomplete subscription becomes active once its first invoice is paid. */
function activateAfterPayment(core: EmulatorCore, invoice: Stripe.Invoice, request: RequestInfo): void {
  const id = invoice.parent?.subscription_details?.subscription;
  if (typeof id !== "string") return;
  const subscription = core.store.get<Stripe.Subscription>("subscription", id);
  if (subscription.status !== "incomplete") return;
  const previous = core.store.update(subscription, { status: "active" });
  core.events.emit("customer.subscription.updated", subscription, request, previous);
}
