import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import { invalidParam, missingParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { requestedRedemptions } from "./discount-redemption.js";
import { redeem } from "./discounts.js";
import { invoiceDiscounts } from "./invoice-objects.js";
import { addItemToDraft, removeItemFromDraft } from "./invoices.js";

/**
 * `/v1/invoiceitems`: a charge waiting for a customer's next invoice (`invoiceitem.created`), or added straight to a
 * draft with `invoice`. Only an item on no invoice, or on a draft, can still change or be deleted.
 */
export function invoiceItemRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.InvoiceItem>("invoiceitem", id);
  return [
    {
      method: "POST",
      pattern: "/v1/invoiceitems",
      handler: ({ params, request }) => createInvoiceItem(core, params, request),
    },
    { method: "GET", pattern: "/v1/invoiceitems/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/invoiceitems/:id",
      handler: ({ path, params }) => {
        const item = get(path.id as string);
        requireEditable(core, item);
        const description = nullableString(params, "description");
        core.store.update(item, {
          metadata: mergeMetadata(params, item.metadata ?? {}),
          ...(description !== undefined && { description }),
        });
        return item;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/invoiceitems/:id",
      handler: ({ path, request }) => {
        const item = get(path.id as string);
        const invoice = requireEditable(core, item);
        if (invoice) removeItemFromDraft(core, invoice, item.id);
        core.store.remove(item);
        core.events.emit("invoiceitem.deleted", item, request);
        return deletedStub(item);
      },
    },
    {
      method: "GET",
      pattern: "/v1/invoiceitems",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const invoice = optionalString(params, "invoice");
        const pending = optionalBoolean(params, "pending");
        const inRange = createdFilter(params);
        const items = core.store
          .all<Stripe.InvoiceItem>("invoiceitem")
          .filter((item) => (customer === undefined || item.customer === customer) && inRange(item.date))
          .filter((item) => invoice === undefined || item.invoice === invoice)
          .filter((item) => pending === undefined || (item.invoice === null) === pending);
        return paginate(items, params, url);
      },
    },
  ];
}

function createInvoiceItem(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.InvoiceItem {
  const customer = core.store.get<Stripe.Customer>("customer", requireString(params, "customer"), "customer");
  const invoiceId = optionalString(params, "invoice");
  const invoice = invoiceId ? core.store.get<Stripe.Invoice>("invoice", invoiceId, "invoice") : undefined;
  const quantity = optionalInteger(params, "quantity") ?? 1;
  const { amount, currency, pricing } = itemAmount(core, params, quantity, invoice);
  const now = core.now();
  const period = optionalObject(params, "period");
  const id = stripeId("ii");
  const redemptions = requestedRedemptions(core, params, "discounts", {
    customer: customer.id,
    currency,
    amount,
    reusable: [...(invoice ? invoiceDiscounts(core, invoice) : []), ...(customer.discount ? [customer.discount] : [])],
  });
  const discounts = redeem(core, redemptions ?? [], { customer: customer.id, invoiceItem: id });
  const item = core.store.insert<Stripe.InvoiceItem>({
    id,
    object: "invoiceitem",
    amount,
    currency,
    customer: customer.id,
    customer_account: null,
    date: now,
    description: nullableString(params, "description") ?? null,
    discountable: optionalBoolean(params, "discountable") ?? amount >= 0,
    discounts: discounts.map((discount) => discount.id),
    invoice: invoice?.id ?? null,
    livemode: false,
    metadata: mergeMetadata(params),
    net_amount: amount,
    parent: null,
    period: period ? { start: Number(period.start), end: Number(period.end) } : { start: now, end: now },
    pricing,
    proration: false,
    quantity,
    quantity_decimal: String(quantity) as unknown as Stripe.InvoiceItem["quantity_decimal"],
    tax_rates: [],
    test_clock: null,
  });
  if (invoice) addItemToDraft(core, invoice, item);
  core.events.emit("invoiceitem.created", item, request);
  return item;
}

/** `amount` (the whole item, in the customer's or given currency) or a `pricing[price]` times `quantity`. */
function itemAmount(
  core: EmulatorCore,
  params: Params,
  quantity: number,
  invoice: Stripe.Invoice | undefined,
): { amount: number; currency: string; pricing: Stripe.InvoiceItem["pricing"] } {
  const priceId = optionalString(optionalObject(params, "pricing") ?? {}, "price");
  if (priceId !== undefined) {
    const price = core.store.get<Stripe.Price>("price", priceId, "pricing[price]");
    const pricing = {
      price_details: { price: price.id, product: price.product as string },
      type: "price_details",
      unit_amount_decimal: String(price.unit_amount),
    } as unknown as Stripe.InvoiceItem["pricing"];
    return { amount: (price.unit_amount ?? 0) * quantity, currency: price.currency, pricing };
  }
  if (optionalObject(params, "price_data") !== undefined) {
    throw invalidParam("price_data", "The emulator does not support price_data on invoice items yet: pass amount.");
  }
  const amount = optionalInteger(params, "amount");
  if (amount === undefined) throw missingParam("amount");
  const currency = optionalString(params, "currency") ?? invoice?.currency;
  if (currency === undefined) throw missingParam("currency");
  const pricing = { type: "price_details", unit_amount_decimal: String(amount / quantity) };
  return { amount, currency: currency.toLowerCase(), pricing: pricing as unknown as Stripe.InvoiceItem["pricing"] };
}

/** The draft the item is on, if any; an item on a finalized invoice is part of that invoice for good. */
function requireEditable(core: EmulatorCore, item: Stripe.InvoiceItem): Stripe.Invoice | undefined {
  if (item.invoice === null) return undefined;
  const invoice = core.store.get<Stripe.Invoice>("invoice", item.invoice as string, "invoice");
  if (invoice.status === "draft") return invoice;
  throw new StripeApiError(
    400,
    "invalid_request_error",
    "invoice_not_editable",
    `This invoice item is on invoice ${invoice.id}, which is no longer a draft, and cannot be changed.`,
  );
}
