import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalInteger,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { newInvoiceDiscounts, requestedInvoiceDiscounts } from "./invoice-discounts.js";
import {
  defaultPaymentMethod,
  finalizeInvoice,
  insertDraftInvoice,
  invoiceItemLine,
  invoiceTotals,
  payInvoice,
} from "./invoice-objects.js";

const DAY = 86_400;

/**
 * `/v1/invoices`, Stripe's invoice life cycle: a `draft` is edited or deleted, finalized to `open`, then `paid`,
 * `void` or `uncollectible`; `send` mails an open one (finalizing a draft first), `pay` pays one (likewise).
 */
export function invoiceRoutes(
  core: EmulatorCore,
  onPaid: (invoice: Stripe.Invoice, request: RequestInfo) => void,
): Route[] {
  const get = (id: string) => core.store.get<Stripe.Invoice>("invoice", id, "invoice");
  const finalized = (invoice: Stripe.Invoice, request: RequestInfo) =>
    invoice.status === "draft" ? finalizeInvoice(core, invoice, request) : invoice;
  return [
    { method: "POST", pattern: "/v1/invoices", handler: ({ params, request }) => createInvoice(core, params, request) },
    { method: "GET", pattern: "/v1/invoices/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/invoices/:id",
      handler: ({ path, params, request }) => {
        const invoice = get(path.id as string);
        const changes: Partial<Stripe.Invoice> = { metadata: mergeMetadata(params, invoice.metadata ?? {}) };
        const description = nullableString(params, "description");
        if (description !== undefined) {
          requireStatus(invoice, ["draft"], "description");
          changes.description = description;
        }
        const discounts = requestedInvoiceDiscounts(core, invoice, params);
        if (discounts) Object.assign(changes, invoiceTotals(core, invoice, invoice.lines.data, discounts));
        const previous = core.store.update(invoice, changes);
        if (Object.keys(previous).length > 0) core.events.emit("invoice.updated", invoice, request, previous);
        return invoice;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/invoices/:id",
      handler: ({ path, request }) => {
        const invoice = get(path.id as string);
        requireStatus(invoice, ["draft"], "delete");
        releaseInvoiceItems(core, invoice);
        core.store.remove(invoice);
        core.events.emit("invoice.deleted", invoice, request);
        return deletedStub(invoice);
      },
    },
    {
      method: "GET",
      pattern: "/v1/invoices/:id/lines",
      handler: ({ path, params, url }) => paginate(get(path.id as string).lines.data, params, url),
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/finalize",
      handler: ({ path, request }) => {
        const invoice = get(path.id as string);
        requireStatus(invoice, ["draft"], "finalize");
        return finalizeInvoice(core, invoice, request);
      },
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/pay",
      handler: ({ path, params, request }) => {
        const invoice = finalized(get(path.id as string), request);
        if (invoice.status !== "open") {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "invoice_not_open",
            `Invoice is already ${invoice.status}.`,
          );
        }
        const method = optionalString(params, "payment_method") ?? defaultPaymentMethod(core, invoice);
        if (!method && invoice.amount_due > 0) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "invoice_no_payment_method_types",
            "This invoice has no payment method to pay with: pass payment_method.",
            "payment_method",
          );
        }
        payInvoice(core, invoice, method, request);
        onPaid(invoice, request);
        return invoice;
      },
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/send",
      handler: ({ path, request }) => {
        const invoice = finalized(get(path.id as string), request);
        requireStatus(invoice, ["open"], "send");
        if (invoice.collection_method !== "send_invoice") {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "",
            "You can only manually send an invoice if its collection method is 'send_invoice'.",
          );
        }
        core.events.emit("invoice.sent", invoice, request);
        return invoice;
      },
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/void",
      handler: ({ path, request }) => {
        const invoice = get(path.id as string);
        requireStatus(invoice, ["open", "uncollectible"], "void");
        const previous = core.store.update(invoice, {
          status: "void",
          amount_remaining: 0,
          status_transitions: { ...invoice.status_transitions, voided_at: core.now() },
        });
        core.events.emit("invoice.voided", invoice, request, previous);
        return invoice;
      },
    },
    {
      method: "POST",
      pattern: "/v1/invoices/:id/mark_uncollectible",
      handler: ({ path, request }) => {
        const invoice = get(path.id as string);
        requireStatus(invoice, ["open"], "mark_uncollectible");
        const previous = core.store.update(invoice, {
          status: "uncollectible",
          status_transitions: { ...invoice.status_transitions, marked_uncollectible_at: core.now() },
        });
        core.events.emit("invoice.marked_uncollectible", invoice, request, previous);
        return invoice;
      },
    },
    {
      method: "GET",
      pattern: "/v1/invoices",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const subscription = optionalString(params, "subscription");
        const status = optionalString(params, "status");
        const inRange = createdFilter(params);
        const invoices = core.store
          .query<Stripe.Invoice>("invoice")
          .filter((invoice) => (customer === undefined || invoice.customer === customer) && inRange(invoice.created))
          .filter(
            (invoice) =>
              subscription === undefined || invoice.parent?.subscription_details?.subscription === subscription,
          )
          .filter((invoice) => status === undefined || invoice.status === status);
        return paginate(invoices, params, url);
      },
    },
  ];
}

/**
 * A one-off draft invoice for a customer (`invoice.created`). With `pending_invoice_items_behavior=include` it takes
 * the customer's invoice items not yet on an invoice; Stripe's default, `exclude`, leaves them pending.
 */
function createInvoice(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.Invoice {
  const customer = core.store.get<Stripe.Customer>("customer", requireString(params, "customer"), "customer");
  if (optionalString(params, "subscription") !== undefined) {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "",
      "The emulator does not create invoices for a subscription's pending items: its invoices come from the subscription itself.",
      "subscription",
    );
  }
  const id = stripeId("in");
  const pending =
    optionalString(params, "pending_invoice_items_behavior") === "include"
      ? core.store
          .all<Stripe.InvoiceItem>("invoiceitem")
          .filter((item) => item.customer === customer.id && item.invoice === null)
          .reverse()
      : [];
  const collectionMethod = (optionalString(params, "collection_method") ??
    "charge_automatically") as Stripe.Invoice.CollectionMethod;
  const daysUntilDue = optionalInteger(params, "days_until_due");
  const dueDate = optionalInteger(params, "due_date");
  if (collectionMethod === "send_invoice" && daysUntilDue === undefined && dueDate === undefined) {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "",
      "Invoices with `collection_method=send_invoice` must have a `days_until_due` or `due_date`.",
    );
  }
  const currency = (
    optionalString(params, "currency") ??
    pending[0]?.currency ??
    customer.currency ??
    "usd"
  ).toLowerCase();
  const amount = pending.reduce((sum, item) => sum + item.amount, 0);
  const discounts = newInvoiceDiscounts(core, params, { customer, invoiceId: id, currency, amount }, request);
  const invoice = insertDraftInvoice(core, customer, {
    discounts,
    id,
    currency,
    billingReason: "manual",
    collectionMethod,
    lines: pending.map((item) => invoiceItemLine(id, item)),
    description: nullableString(params, "description") ?? null,
    dueDate: dueDate ?? (daysUntilDue === undefined ? null : core.now() + daysUntilDue * DAY),
    metadata: mergeMetadata(params),
    defaultPaymentMethod: optionalString(params, "default_payment_method") ?? null,
  });
  for (const item of pending) core.store.update(item, { invoice: id });
  core.events.emit("invoice.created", invoice, request);
  return invoice;
}

/** Adds an invoice item to a draft, as `invoice` on the item's create does. */
export function addItemToDraft(core: EmulatorCore, invoice: Stripe.Invoice, item: Stripe.InvoiceItem): void {
  requireStatus(invoice, ["draft"], "add lines to");
  core.store.update(invoice, invoiceTotals(core, invoice, [...invoice.lines.data, invoiceItemLine(invoice.id, item)]));
}

/** Takes a deleted invoice item off its draft invoice. */
export function removeItemFromDraft(core: EmulatorCore, invoice: Stripe.Invoice, itemId: string): void {
  const lines = invoice.lines.data.filter((line) => line.parent?.invoice_item_details?.invoice_item !== itemId);
  core.store.update(invoice, invoiceTotals(core, invoice, lines));
}

/** A deleted draft's items go back to pending, as Stripe leaves them for the customer's next invoice. */
function releaseInvoiceItems(core: EmulatorCore, invoice: Stripe.Invoice): void {
  for (const line of invoice.lines.data) {
    const itemId = line.parent?.invoice_item_details?.invoice_item;
    const item = itemId ? core.store.find(itemId) : undefined;
    if (item) core.store.update(item as Stripe.InvoiceItem, { invoice: null });
  }
}

export function requireStatus(invoice: Stripe.Invoice, allowed: readonly string[], action: string): void {
  if (allowed.includes(invoice.status ?? "")) return;
  throw new StripeApiError(
    400,
    "invalid_request_error",
    "invoice_not_editable",
    `You can only ${action} an invoice whose status is ${allowed.join(" or ")}; this one is ${invoice.status}.`,
  );
}
