import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import { NO_REQUEST } from "../events.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
} from "../params.js";
import { type StripeObject, stripeId } from "../store.js";
import { fulfilQuote } from "./quote-acceptance.js";
import { quoteLineItems, quoteTotals } from "./quote-lines.js";
import type { DueWork } from "./test-clock-advance.js";
import { requestedClock } from "./test-clocks.js";

type Quote = Stripe.Quote;

const DAY = 86_400;
/** A quote Stripe is not told when to expire expires 30 days after it is made. */
const DEFAULT_VALIDITY = 30 * DAY;
const LINE_ITEMS = "emulator.quote_line_items";

/** A quote's line items, which Stripe shows only through their own list: kept in the store, so `--data` keeps them. */
interface QuoteLineItems extends StripeObject {
  object: typeof LINE_ITEMS;
  data: Stripe.LineItem[];
}

/**
 * `/v1/quotes`: a `draft` is edited, then finalized (`open`, with a number) for the customer to accept, which makes
 * it a subscription or an invoice (`accepted`); a draft or open quote can be canceled.
 */
export function quoteRoutes(core: EmulatorCore): Route[] {
  const get = (id: string | undefined) => core.store.get<Quote>("quote", id as string, "quote");
  const linesOf = (quote: StripeObject) =>
    (core.store.find(`${quote.id}:line_items`) as QuoteLineItems | undefined)?.data ?? [];
  core.virtualFields.set("quote.line_items", (quote) => ({
    object: "list",
    data: linesOf(quote),
    has_more: false,
    url: `/v1/quotes/${quote.id}/line_items`,
  }));
  const setLines = (quote: Quote, lines: Stripe.LineItem[]) => {
    const stored = core.store.find(`${quote.id}:line_items`) as QuoteLineItems | undefined;
    if (stored) core.store.update(stored, { data: lines });
    else core.store.insert<QuoteLineItems>({ id: `${quote.id}:line_items`, object: LINE_ITEMS, data: lines });
    Object.assign(quote, quoteTotals(lines));
  };
  return [
    {
      method: "POST",
      pattern: "/v1/quotes",
      handler: ({ params, request }) => {
        const lines = quoteLineItems(core, params);
        const quote = insertQuote(core, params);
        setLines(quote, lines);
        core.events.emit("quote.created", quote, request);
        return quote;
      },
    },
    { method: "GET", pattern: "/v1/quotes/:id", handler: ({ path }) => get(path.id) },
    {
      method: "POST",
      pattern: "/v1/quotes/:id",
      handler: ({ path, params }) => {
        const quote = requireStatus(get(path.id), ["draft"], "update");
        const changes: Partial<Quote> = { metadata: mergeMetadata(params, quote.metadata) };
        for (const field of ["description", "header", "footer"] as const) {
          const value = nullableString(params, field);
          if (value !== undefined) changes[field] = value;
        }
        const customer = optionalString(params, "customer");
        if (customer !== undefined)
          changes.customer = core.store.get<Stripe.Customer>("customer", customer, "customer").id;
        const expiresAt = optionalInteger(params, "expires_at");
        if (expiresAt !== undefined) changes.expires_at = expiresAt;
        core.store.update(quote, changes);
        if (params.line_items !== undefined) setLines(quote, quoteLineItems(core, params));
        return quote;
      },
    },
    {
      method: "POST",
      pattern: "/v1/quotes/:id/finalize",
      handler: ({ path, params, request }) => {
        const quote = requireStatus(get(path.id), ["draft"], "finalize");
        if (quote.customer === null) {
          throw invalidParam("customer", "A quote needs a customer before it can be finalized: set `customer` first.");
        }
        if (linesOf(quote).length === 0) {
          throw invalidParam("line_items", "A quote needs at least one line item before it can be finalized.");
        }
        const previous = core.store.update(quote, {
          status: "open",
          number: quoteNumber(core, quote),
          expires_at: optionalInteger(params, "expires_at") ?? quote.expires_at,
          status_transitions: { ...quote.status_transitions, finalized_at: core.now() },
        });
        core.events.emit("quote.finalized", quote, request, previous);
        return quote;
      },
    },
    {
      method: "POST",
      pattern: "/v1/quotes/:id/accept",
      handler: ({ path, request }) => {
        const quote = requireStatus(get(path.id), ["open"], "accept");
        const made = fulfilQuote(core, quote, linesOf(quote), request);
        const previous = core.store.update(quote, {
          ...made,
          status: "accepted",
          status_transitions: { ...quote.status_transitions, accepted_at: core.now() },
        });
        core.events.emit("quote.accepted", quote, request, previous);
        return quote;
      },
    },
    {
      method: "POST",
      pattern: "/v1/quotes/:id/cancel",
      handler: ({ path, request }) => {
        const quote = requireStatus(get(path.id), ["draft", "open"], "cancel");
        const previous = core.store.update(quote, {
          status: "canceled",
          status_transitions: { ...quote.status_transitions, canceled_at: core.now() },
        });
        core.events.emit("quote.canceled", quote, request, previous);
        return quote;
      },
    },
    {
      method: "GET",
      pattern: "/v1/quotes/:id/line_items",
      handler: ({ path, params, url }) => paginate(linesOf(get(path.id)), params, url),
    },
    {
      method: "GET",
      pattern: "/v1/quotes/:id/computed_upfront_line_items",
      handler: ({ path, params, url }) => paginate(linesOf(get(path.id)), params, url),
    },
    {
      method: "GET",
      pattern: "/v1/quotes",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const status = optionalString(params, "status");
        const quotes = core.store
          .query<Quote>("quote")
          .filter(
            (quote) =>
              (customer === undefined || quote.customer === customer) &&
              (status === undefined || quote.status === status),
          );
        return paginate(quotes, params, url);
      },
    },
  ];
}

/** An open or draft quote on a test clock is canceled when the clock passes its `expires_at`. */
export function quoteDueWork(core: EmulatorCore, quote: Quote): DueWork[] {
  if (quote.status !== "draft" && quote.status !== "open") return [];
  const expire = () => {
    const previous = core.store.update(quote, {
      status: "canceled",
      status_transitions: { ...quote.status_transitions, canceled_at: core.now() },
    });
    core.events.emit("quote.canceled", quote, NO_REQUEST, previous);
  };
  return [{ at: quote.expires_at, rank: 3, key: `${quote.id} expires`, run: expire }];
}

function insertQuote(core: EmulatorCore, params: Params): Quote {
  const customerId = optionalString(params, "customer");
  const customer =
    customerId === undefined ? undefined : core.store.get<Stripe.Customer>("customer", customerId, "customer");
  const now = core.now();
  const collection = (optionalString(params, "collection_method") ??
    "charge_automatically") as Stripe.Quote.CollectionMethod;
  const subscriptionData = optionalObject(params, "subscription_data") ?? {};
  const invoiceSettings = optionalObject(params, "invoice_settings") ?? {};
  return core.store.insert<Quote>({
    id: stripeId("qt"),
    object: "quote",
    amount_subtotal: 0,
    amount_total: 0,
    application: null,
    application_fee_amount: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    collection_method: collection,
    computed: {
      recurring: null,
      upfront: {
        amount_subtotal: 0,
        amount_total: 0,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      },
    },
    created: now,
    currency: null,
    customer: customer?.id ?? null,
    customer_account: null,
    default_tax_rates: [],
    description: nullableString(params, "description") ?? null,
    discounts: [],
    expires_at: optionalInteger(params, "expires_at") ?? now + DEFAULT_VALIDITY,
    footer: nullableString(params, "footer") ?? null,
    from_quote: null,
    header: nullableString(params, "header") ?? null,
    invoice: null,
    invoice_settings: {
      custom_fields: null,
      days_until_due: optionalInteger(invoiceSettings, "days_until_due") ?? (collection === "send_invoice" ? 30 : null),
      description: null,
      footer: null,
      issuer: { type: "self" },
    },
    livemode: false,
    metadata: mergeMetadata(params),
    number: null,
    on_behalf_of: null,
    status: "draft",
    status_transitions: { accepted_at: null, canceled_at: null, finalized_at: null },
    subscription: null,
    subscription_data: {
      billing_mode: { type: "classic" },
      description: optionalString(subscriptionData, "description") ?? null,
      effective_date: null,
      metadata: mergeMetadata(subscriptionData),
      trial_period_days: optionalInteger(subscriptionData, "trial_period_days") ?? null,
    },
    subscription_schedule: null,
    test_clock: requestedClock(core, params) ?? customer?.test_clock ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    transfer_data: null,
  });
}

/** `QT-` and the customer's invoice prefix, then the customer's count of numbered quotes: `QT-8F3A21C0-0002-1`. */
function quoteNumber(core: EmulatorCore, quote: Quote): string {
  const customer = core.store.get<Stripe.Customer>("customer", quote.customer as string, "customer");
  const numbered = core.store
    .all<Quote>("quote")
    .filter((each) => each.customer === customer.id && each.number !== null).length;
  return `QT-${customer.invoice_prefix}-${String(numbered + 1).padStart(4, "0")}-1`;
}

function requireStatus(quote: Quote, allowed: readonly Stripe.Quote.Status[], action: string): Quote {
  if (allowed.includes(quote.status)) return quote;
  throw new StripeApiError(
    400,
    "invalid_request_error",
    "",
    `You cannot ${action} a quote that is in the \`${quote.status}\` status; only a quote in the ${allowed.map((status) => `\`${status}\``).join(" or ")} status can be.`,
  );
}
