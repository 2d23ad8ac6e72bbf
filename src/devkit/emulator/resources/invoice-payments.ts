import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { optionalObject, optionalString } from "../params.js";
import { confirmPaymentIntent, createPaymentIntent } from "./payment-intents.js";

/**
 * An invoice's payment (`invoice_payment`): the one PaymentIntent an invoice is charged through, confirmed again on
 * each retry, `open` until it pays. Retrieve and list (by `invoice`, `payment[payment_intent]`, `status`); paid, it
 * emits `invoice_payment.paid`.
 */
export function invoicePaymentRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v1/invoice_payments/:id",
      handler: ({ path }) => core.store.get<Stripe.InvoicePayment>("invoice_payment", path.id as string),
    },
    {
      method: "GET",
      pattern: "/v1/invoice_payments",
      handler: ({ params, url }) => {
        const invoice = optionalString(params, "invoice");
        const status = optionalString(params, "status");
        const intent = optionalObject(params, "payment")?.payment_intent;
        const inRange = createdFilter(params);
        const payments = core.store
          .query<Stripe.InvoicePayment>("invoice_payment")
          .filter(
            (payment) =>
              (invoice === undefined || payment.invoice === invoice) &&
              (status === undefined || payment.status === status) &&
              (intent === undefined || payment.payment.payment_intent === intent) &&
              inRange(payment.created),
          );
        return paginate(payments, params, url);
      },
    },
  ];
}

/** One default payment per invoice, so its id follows from the invoice's and a retry finds it without a scan. */
function invoicePaymentId(invoice: Stripe.Invoice): string {
  return `inpay_${invoice.id.slice("in_".length)}`;
}

function findInvoicePayment(core: EmulatorCore, invoice: Stripe.Invoice): Stripe.InvoicePayment | undefined {
  const found = core.store.find(invoicePaymentId(invoice));
  return found?.object === "invoice_payment" ? (found as Stripe.InvoicePayment) : undefined;
}

/**
 * Charges the invoice's amount due with `method`: the first attempt creates the invoice's PaymentIntent, a retry
 * confirms the same one again. Throws the card's error when it declines, as confirming does.
 */
export function chargeInvoice(
  core: EmulatorCore,
  invoice: Stripe.Invoice,
  method: string,
  description: string,
  request: RequestInfo,
): Stripe.PaymentIntent {
  const existing = findInvoicePayment(core, invoice);
  const intentId = existing?.payment.payment_intent;
  if (typeof intentId === "string") {
    const intent = core.store.get<Stripe.PaymentIntent>("payment_intent", intentId);
    if (intent.status === "requires_payment_method") {
      return confirmPaymentIntent(core, intent, { payment_method: method }, request);
    }
  }
  const intent = createPaymentIntent(
    core,
    {
      amount: String(invoice.amount_due),
      currency: invoice.currency,
      customer: invoice.customer as string,
      payment_method: method,
      description,
    },
    request,
  );
  core.store.insert<Stripe.InvoicePayment>({
    id: invoicePaymentId(invoice),
    object: "invoice_payment",
    amount_paid: null,
    amount_requested: invoice.amount_due,
    created: core.now(),
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { type: "payment_intent", payment_intent: intent.id },
    status: "open",
    status_transitions: { canceled_at: null, paid_at: null },
  });
  return confirmPaymentIntent(core, intent, {}, request);
}

/** The invoice's payment, if it was charged, is `paid` (`invoice_payment.paid`). */
export function markInvoicePaymentPaid(core: EmulatorCore, invoice: Stripe.Invoice, request: RequestInfo): void {
  const payment = findInvoicePayment(core, invoice);
  if (payment?.status !== "open") return;
  const previous = core.store.update(payment, {
    status: "paid",
    amount_paid: payment.amount_requested,
    status_transitions: { ...payment.status_transitions, paid_at: core.now() },
  });
  core.events.emit("invoice_payment.paid", payment, request, previous);
}
