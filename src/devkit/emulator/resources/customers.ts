import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";
import { cardSourceToken, insertCardSource, requestedDefaultSource } from "./customer-sources.js";
import { legacyRedemption } from "./discount-redemption.js";
import { setCustomerDiscount } from "./discounts.js";
import { attachPaymentMethod, customerPaymentMethod } from "./payment-methods.js";
import { cancelSubscription } from "./subscriptions.js";
import { requestedClock } from "./test-clocks.js";

/** `/v1/customers`: create, retrieve (a deleted one answers `deleted: true`), update, delete, list. */
export function customerRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/customers",
      handler: ({ params, legacy, request }) => {
        // Checked before the customer is made, so a coupon Stripe refuses leaves no customer behind.
        const redemption = legacyRedemption(core, legacy ?? {}, { customer: null, currency: null, reusable: [] });
        const customer = createCustomer(core, params, request);
        if (redemption !== undefined) setCustomerDiscount(core, customer, redemption, request, { creating: true });
        return customer;
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:id",
      handler: ({ path }) => {
        const gone = core.store.wasDeleted(path.id as string);
        if (gone?.object === "customer") return deletedStub(gone);
        return core.store.get<Stripe.Customer>("customer", path.id as string);
      },
    },
    {
      method: "POST",
      pattern: "/v1/customers/:id",
      handler: ({ path, params, legacy, request }) => {
        const customer = core.store.get<Stripe.Customer>("customer", path.id as string);
        const context = { customer: customer.id, currency: customer.currency ?? null, reusable: [] };
        const redemption = legacyRedemption(core, legacy ?? {}, context);
        updateCustomer(core, customer, params, request);
        if (redemption !== undefined) setCustomerDiscount(core, customer, redemption, request);
        return customer;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/customers/:id",
      handler: ({ path, request }) => {
        const customer = core.store.get<Stripe.Customer>("customer", path.id as string);
        // Deleting a customer ends their subscriptions at once, each with its own event.
        for (const subscription of core.store.all<Stripe.Subscription>("subscription")) {
          if (subscription.customer === customer.id && subscription.status !== "canceled") {
            cancelSubscription(core, subscription, request);
          }
        }
        core.store.remove(customer);
        core.events.emit("customer.deleted", customer, request);
        return deletedStub(customer);
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers",
      handler: ({ params, url }) => {
        const email = optionalString(params, "email");
        const inRange = createdFilter(params);
        const customers = core.store
          .query<Stripe.Customer>("customer")
          .filter((customer) => (email === undefined || customer.email === email) && inRange(customer.created));
        return paginate(customers, params, url);
      },
    },
  ];
}

export function createCustomer(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.Customer {
  const sourceToken = optionalString(params, "source");
  // Checked before anything is made, so a bad token leaves no customer behind.
  const sourceCard = sourceToken === undefined ? undefined : cardSourceToken(sourceToken);
  const customer: Stripe.Customer = core.store.insert({
    id: stripeId("cus", 14),
    object: "customer",
    address: (optionalObject(params, "address") as Stripe.Address | undefined) ?? null,
    balance: 0,
    created: core.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: nullableString(params, "description") ?? null,
    discount: null,
    email: nullableString(params, "email") ?? null,
    invoice_prefix: stripeId("", 8).slice(1).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: mergeMetadata(params),
    name: nullableString(params, "name") ?? null,
    next_invoice_sequence: 1,
    phone: nullableString(params, "phone") ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: requestedClock(core, params),
  });
  // A `source` becomes the customer's first card and default source, already set in `customer.created`.
  const source = sourceCard && insertCardSource(core, customer.id, sourceCard, {});
  if (source) core.store.update(customer, { default_source: source.id });
  core.events.emit("customer.created", customer, request);
  if (source) core.events.emit("customer.source.created", source, request);
  const token = optionalString(params, "payment_method");
  const attached = token && attachPaymentMethod(core, token, customer.id, request, "payment_method");
  const defaultMethod = invoiceDefaultPaymentMethod(params);
  if (defaultMethod) {
    // A test token named twice (`payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa`)
    // means the one method it just attached, as on Stripe.
    const id = attached && defaultMethod === token ? attached.id : defaultMethod;
    updateCustomer(core, customer, { invoice_settings: { default_payment_method: id } }, request);
  }
  return customer;
}

/** Applies the fields Stripe lets an update change and emits `customer.updated` with what they were before. */
export function updateCustomer(
  core: EmulatorCore,
  customer: Stripe.Customer,
  params: Params,
  request: RequestInfo,
): Stripe.Customer {
  const changes: Partial<Stripe.Customer> = { metadata: mergeMetadata(params, customer.metadata) };
  for (const field of ["email", "name", "description", "phone"] as const) {
    const value = nullableString(params, field);
    if (value !== undefined) changes[field] = value;
  }
  const address = optionalObject(params, "address");
  if (address) changes.address = address as unknown as Stripe.Address;
  else if (params.address === "") changes.address = null;
  const defaultMethod = invoiceDefaultPaymentMethod(params);
  if (defaultMethod !== undefined) {
    const param = "invoice_settings[default_payment_method]";
    const method = defaultMethod && customerPaymentMethod(core, defaultMethod, customer.id, request, param).id;
    changes.invoice_settings = { ...customer.invoice_settings, default_payment_method: method };
  }
  const defaultSource = requestedDefaultSource(core, customer, params, request);
  if (defaultSource !== undefined) changes.default_source = defaultSource;
  const previous = core.store.update(customer, changes);
  if (Object.keys(previous).length > 0) core.events.emit("customer.updated", customer, request, previous);
  return customer;
}

function invoiceDefaultPaymentMethod(params: Params): string | null | undefined {
  const settings = optionalObject(params, "invoice_settings");
  return settings === undefined ? undefined : nullableString(settings, "default_payment_method");
}
