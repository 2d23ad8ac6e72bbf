import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalArray,
  optionalInteger,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";

/**
 * `/v1/credit_notes` on an open invoice: the credit lowers what is still due (a pre-payment credit note,
 * `credit_note.created` then `invoice.updated`); voiding it puts the amount back (`credit_note.voided`). Credit notes
 * on paid invoices (refunds, customer balance credits) are not emulated and answer so.
 */
export function creditNoteRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.CreditNote>("credit_note", id);
  return [
    {
      method: "POST",
      pattern: "/v1/credit_notes",
      handler: ({ params, request }) => createCreditNote(core, params, request),
    },
    { method: "GET", pattern: "/v1/credit_notes/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "GET",
      pattern: "/v1/credit_notes/:id/lines",
      handler: ({ path, params, url }) => paginate(get(path.id as string).lines.data, params, url),
    },
    {
      method: "POST",
      pattern: "/v1/credit_notes/:id",
      handler: ({ path, params, request }) => {
        const note = get(path.id as string);
        const memo = nullableString(params, "memo");
        const previous = core.store.update(note, {
          metadata: mergeMetadata(params, note.metadata ?? {}),
          ...(memo !== undefined && { memo }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("credit_note.updated", note, request, previous);
        return note;
      },
    },
    {
      method: "POST",
      pattern: "/v1/credit_notes/:id/void",
      handler: ({ path, request }) => {
        const note = get(path.id as string);
        if (note.status === "void") {
          throw new StripeApiError(400, "invalid_request_error", "", "This credit note has already been voided.");
        }
        const invoice = core.store.get<Stripe.Invoice>("invoice", note.invoice as string, "invoice");
        const previous = core.store.update(note, { status: "void", voided_at: core.now() });
        core.events.emit("credit_note.voided", note, request, previous);
        creditInvoice(core, invoice, -note.amount, request);
        return note;
      },
    },
    {
      method: "GET",
      pattern: "/v1/credit_notes",
      handler: ({ params, url }) => {
        const invoice = optionalString(params, "invoice");
        const customer = optionalString(params, "customer");
        const inRange = createdFilter(params);
        const notes = core.store
          .all<Stripe.CreditNote>("credit_note")
          .filter((note) => (invoice === undefined || note.invoice === invoice) && inRange(note.created))
          .filter((note) => customer === undefined || note.customer === customer);
        return paginate(notes, params, url);
      },
    },
  ];
}

function createCreditNote(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.CreditNote {
  const invoice = core.store.get<Stripe.Invoice>("invoice", requireString(params, "invoice"), "invoice");
  if (invoice.status !== "open") {
    throw new StripeApiError(
      400,
      "invalid_request_error",
      "",
      `The emulator supports credit notes on open invoices only; this invoice is ${invoice.status}.`,
      "invoice",
    );
  }
  const id = stripeId("cn");
  const lines = (optionalArray(params, "lines") ?? []).map((line, index) =>
    creditNoteLine(invoice, line as Params, index),
  );
  const amount = optionalInteger(params, "amount") ?? lines.reduce((sum, line) => sum + line.amount, 0);
  if (amount <= 0 || amount > invoice.amount_remaining) {
    throw invalidParam(
      "amount",
      `The credit note amount (${amount}) must be positive and at most the invoice's amount remaining (${invoice.amount_remaining}).`,
    );
  }
  const customer = core.store.get<Stripe.Customer>("customer", invoice.customer as string, "customer");
  const sequence = core.store.all("credit_note").filter((note) => (note as Stripe.CreditNote).invoice === invoice.id);
  const now = core.now();
  const note = core.store.insert<Stripe.CreditNote>({
    id,
    object: "credit_note",
    amount,
    amount_shipping: 0,
    created: now,
    currency: invoice.currency,
    customer: customer.id,
    customer_account: null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: now,
    invoice: invoice.id,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/credit_notes/${id}/lines` },
    livemode: false,
    memo: nullableString(params, "memo") ?? null,
    metadata: mergeMetadata(params),
    number: `${invoice.number}-CN-${String(sequence.length + 1).padStart(2, "0")}`,
    out_of_band_amount: null,
    pdf: `${core.baseUrl()}/_emulator/credit_notes/${id}/pdf`,
    post_payment_amount: 0,
    pre_payment_amount: amount,
    pretax_credit_amounts: [],
    reason: (optionalString(params, "reason") ?? null) as Stripe.CreditNote.Reason | null,
    refunds: [],
    shipping_cost: null,
    status: "issued",
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    total_taxes: [],
    type: "pre_payment",
    voided_at: null,
  });
  core.events.emit("credit_note.created", note, request);
  creditInvoice(core, invoice, amount, request);
  return note;
}

/** A pre-payment credit lowers what the invoice still asks for; a voided one raises it back. */
function creditInvoice(core: EmulatorCore, invoice: Stripe.Invoice, credit: number, request: RequestInfo): void {
  const previous = core.store.update(invoice, {
    amount_due: invoice.amount_due - credit,
    amount_remaining: invoice.amount_remaining - credit,
    pre_payment_credit_notes_amount: invoice.pre_payment_credit_notes_amount + credit,
  });
  core.events.emit("invoice.updated", invoice, request, previous);
}

/** `custom_line_item` (`unit_amount` × `quantity`) or `invoice_line_item` (all of, or `amount` of, an invoice line). */
function creditNoteLine(invoice: Stripe.Invoice, line: Params, index: number): Stripe.CreditNoteLineItem {
  const type = requireString(line, "type");
  const quantity = optionalInteger(line, "quantity") ?? 1;
  let amount: number;
  let unitAmount: number | null = null;
  let invoiceLine: string | undefined;
  if (type === "custom_line_item") {
    unitAmount = optionalInteger(line, "unit_amount") ?? 0;
    amount = unitAmount * quantity;
  } else if (type === "invoice_line_item") {
    invoiceLine = requireString(line, "invoice_line_item");
    const credited = invoice.lines.data.find((each) => each.id === invoiceLine);
    if (!credited) throw invalidParam(`lines[${index}][invoice_line_item]`, `No such invoice line: '${invoiceLine}'`);
    amount = optionalInteger(line, "amount") ?? credited.amount;
  } else {
    throw invalidParam(`lines[${index}][type]`, `Invalid lines[${index}][type]: ${type}`);
  }
  return {
    id: stripeId("cnli"),
    object: "credit_note_line_item",
    amount,
    description: nullableString(line, "description") ?? null,
    discount_amount: 0,
    discount_amounts: [],
    ...(invoiceLine !== undefined && { invoice_line_item: invoiceLine }),
    livemode: false,
    metadata: {},
    pretax_credit_amounts: [],
    quantity,
    tax_rates: [],
    taxes: [],
    type: type as Stripe.CreditNoteLineItem.Type,
    unit_amount: unitAmount,
    unit_amount_decimal: (unitAmount === null
      ? null
      : String(unitAmount)) as Stripe.CreditNoteLineItem["unit_amount_decimal"],
  };
}
