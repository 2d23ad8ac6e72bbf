import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { stripeSchema } from "../../src/devkit/emulator/schema/load.js";
import type { SchemaEndpoint } from "../../src/devkit/emulator/schema/types.js";
import { shapeProblems } from "../support/schema-shape.js";

interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

let emulator: RunningEmulator;
let stripe: Stripe;
const answers: Answer[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const url = new URL(emulator.url);
  // The official client, with a fetch that keeps a copy of every answer it reads.
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const request = new URL(input instanceof Request ? input.url : String(input));
    answers.push({
      method: init?.method ?? "GET",
      path: request.pathname,
      status: response.status,
      body: await response.clone().json(),
    });
    return response;
  };
  stripe = new Stripe("sk_test_shapes", {
    host: url.hostname,
    port: url.port,
    protocol: "http",
    httpClient: Stripe.createFetchHttpClient(recordingFetch),
  });
});
afterAll(() => emulator.close());

/** Calls every endpoint the emulator implements, with valid parameters, through the official client. */
async function driveEveryEndpoint(): Promise<void> {
  const customer = await stripe.customers.create({ email: "shape@example.com", name: "Shape", metadata: { a: "1" } });
  await stripe.customers.retrieve(customer.id);
  await stripe.customers.update(customer.id, { phone: "+15555550100" });
  await stripe.customers.list({ limit: 3 });
  await stripe.customers.search({ query: 'email:"shape@example.com"' });

  const method = await stripe.paymentMethods.create({ type: "card", card: { token: "tok_visa" } });
  await stripe.paymentMethods.attach(method.id, { customer: customer.id });
  await stripe.paymentMethods.retrieve(method.id);
  await stripe.paymentMethods.update(method.id, { metadata: { b: "2" } });
  await stripe.paymentMethods.list({ customer: customer.id });
  await stripe.customers.listPaymentMethods(customer.id);
  await stripe.paymentMethods.detach(method.id);

  const intent = await stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id });
  await stripe.paymentIntents.update(intent.id, { description: "order 1" });
  await stripe.paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
  await stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge", "customer"] });
  const manual = await stripe.paymentIntents.create({ amount: 900, currency: "eur", capture_method: "manual" });
  await stripe.paymentIntents.confirm(manual.id, { payment_method: "pm_card_mastercard" });
  await stripe.paymentIntents.capture(manual.id);
  const dropped = await stripe.paymentIntents.create({ amount: 700, currency: "usd" });
  await stripe.paymentIntents.cancel(dropped.id);
  await stripe.paymentIntents.list({ limit: 5 });
  await stripe.paymentIntents.search({ query: "amount>100" });

  const charge = await stripe.charges.create({ amount: 1500, currency: "usd", source: "tok_visa", capture: false });
  await stripe.charges.capture(charge.id);
  await stripe.charges.retrieve(charge.id);
  await stripe.charges.update(charge.id, { metadata: { order: "7" } });
  await stripe.charges.list({ limit: 5 });
  await stripe.charges.search({ query: 'status:"succeeded"' });

  const refund = await stripe.refunds.create({ charge: charge.id, amount: 500 });
  await stripe.refunds.retrieve(refund.id);
  await stripe.refunds.update(refund.id, { metadata: { why: "test" } });
  await stripe.refunds.list({ charge: charge.id });

  const disputed = await stripe.paymentIntents.create({
    amount: 800,
    currency: "usd",
    payment_method: "pm_card_createDispute",
    confirm: true,
  });
  const [dispute] = (await stripe.disputes.list({ charge: disputed.latest_charge as string })).data;
  await stripe.disputes.retrieve(dispute?.id as string);
  await stripe.disputes.update(dispute?.id as string, { metadata: { case: "1" } });
  await stripe.disputes.close(dispute?.id as string);

  const product = await stripe.products.create({ name: "Pro", metadata: { tier: "2" } });
  await stripe.products.retrieve(product.id);
  await stripe.products.update(product.id, { description: "The pro plan" });
  await stripe.products.list({ limit: 3 });
  await stripe.products.search({ query: 'name:"Pro"' });
  const price = await stripe.prices.create({
    currency: "usd",
    unit_amount: 1500,
    recurring: { interval: "month" },
    product: product.id,
  });
  await stripe.prices.retrieve(price.id);
  await stripe.prices.update(price.id, { nickname: "monthly" });
  await stripe.prices.list({ limit: 3 });
  await stripe.prices.search({ query: 'currency:"usd"' });

  const payer = await stripe.customers.create({
    payment_method: "pm_card_visa",
    invoice_settings: { default_payment_method: "pm_card_visa" },
  });
  const subscription = await stripe.subscriptions.create({ customer: payer.id, items: [{ price: price.id }] });
  await stripe.subscriptions.retrieve(subscription.id);
  await stripe.subscriptions.update(subscription.id, { metadata: { seat: "3" } });
  await stripe.subscriptions.list({ limit: 3 });
  await stripe.subscriptions.search({ query: 'status:"active"' });
  await stripe.invoices.retrieve(subscription.latest_invoice as string);
  await stripe.invoices.listLineItems(subscription.latest_invoice as string);
  await stripe.invoices.list({ limit: 3 });
  await stripe.invoices.search({ query: "total>0" });
  await stripe.invoices.createPreview({ subscription: subscription.id });
  const unpaid = await stripe.customers.create({});
  const open = await stripe.subscriptions.create({
    customer: unpaid.id,
    items: [{ price: price.id }],
    payment_behavior: "default_incomplete",
  });
  await stripe.invoices.pay(open.latest_invoice as string, { payment_method: "pm_card_visa" });
  await stripe.subscriptions.cancel(subscription.id);

  const item = await stripe.invoiceItems.create({ customer: payer.id, amount: 700, currency: "usd" });
  await stripe.invoiceItems.retrieve(item.id);
  await stripe.invoiceItems.update(item.id, { description: "setup fee" });
  await stripe.invoiceItems.list({ customer: payer.id });
  const draft = await stripe.invoices.create({ customer: payer.id, pending_invoice_items_behavior: "include" });
  await stripe.invoiceItems.create({ customer: payer.id, invoice: draft.id, pricing: { price: price.id } });
  await stripe.invoices.update(draft.id, { metadata: { order: "9" } });
  await stripe.invoices.finalizeInvoice(draft.id);
  await stripe.invoices.pay(draft.id, { payment_method: "pm_card_visa" });
  const [payment] = (await stripe.invoicePayments.list({ invoice: draft.id, status: "paid" })).data;
  await stripe.invoicePayments.retrieve(payment?.id as string);
  const billed = await stripe.invoices.create({
    customer: payer.id,
    collection_method: "send_invoice",
    days_until_due: 7,
  });
  await stripe.invoiceItems.del(
    (await stripe.invoiceItems.create({ customer: payer.id, invoice: billed.id, amount: 5, currency: "usd" })).id,
  );
  await stripe.invoiceItems.create({ customer: payer.id, invoice: billed.id, amount: 900, currency: "usd" });
  await stripe.invoices.sendInvoice(billed.id);
  const note = await stripe.creditNotes.create({
    invoice: billed.id,
    lines: [{ type: "custom_line_item", unit_amount: 100, quantity: 1, description: "goodwill" }],
  });
  await stripe.creditNotes.retrieve(note.id);
  await stripe.creditNotes.update(note.id, { memo: "sorry" });
  await stripe.creditNotes.listLineItems(note.id);
  await stripe.creditNotes.list({ invoice: billed.id });
  await stripe.creditNotes.voidCreditNote(note.id);
  await stripe.invoices.markUncollectible(billed.id);
  await stripe.invoices.voidInvoice(billed.id);
  await stripe.invoices.del((await stripe.invoices.create({ customer: payer.id })).id);

  const coupon = await stripe.coupons.create({ percent_off: 20, duration: "repeating", duration_in_months: 3 });
  await stripe.coupons.retrieve(coupon.id);
  await stripe.coupons.update(coupon.id, { name: "Spring" });
  await stripe.coupons.list({ limit: 3 });
  const code = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id } });
  await stripe.promotionCodes.retrieve(code.id);
  await stripe.promotionCodes.update(code.id, { active: false });
  await stripe.promotionCodes.list({ coupon: coupon.id });
  await stripe.coupons.del((await stripe.coupons.create({ amount_off: 500, currency: "usd" })).id);
  const forever = await stripe.coupons.create({ percent_off: 10, duration: "forever" });
  const discounted = await stripe.subscriptions.create({
    customer: payer.id,
    items: [{ price: price.id }],
    discounts: [{ coupon: forever.id }],
    expand: ["discounts", "latest_invoice.total_discount_amounts.discount"],
  });
  await stripe.subscriptions.deleteDiscount(discounted.id);
  // A customer's own discount comes from the `coupon` that versions before 2025-03-31.basil still send.
  await stripe.customers.update(payer.id, { coupon: forever.id } as Stripe.CustomerUpdateParams, {
    apiVersion: "2024-06-20",
  });
  await stripe.customers.deleteDiscount(payer.id);
  const plan = await stripe.plans.create({
    currency: "usd",
    interval: "month",
    amount: 900,
    product: { name: "Plan" },
  });
  await stripe.plans.retrieve(plan.id);
  await stripe.plans.update(plan.id, { nickname: "monthly" });
  await stripe.plans.list({ limit: 3 });
  await stripe.plans.del(plan.id);
  const rate = await stripe.taxRates.create({ display_name: "VAT", inclusive: false, percentage: 20 });
  await stripe.taxRates.retrieve(rate.id);
  await stripe.taxRates.update(rate.id, { active: false });
  await stripe.taxRates.list({ limit: 3 });

  await stripe.paymentIntents.create({
    amount: 5000,
    currency: "usd",
    payment_method: "pm_card_bypassPending",
    confirm: true,
  });
  await stripe.paymentIntents.create({
    amount: 700,
    currency: "usd",
    payment_method: "pm_card_authenticationRequired",
    confirm: true,
  });
  await stripe.setupIntents.create({ payment_method: "pm_card_threeDSecure2Required", confirm: true });
  await stripe.balance.retrieve();
  const transactions = await stripe.balanceTransactions.list({ limit: 3 });
  await stripe.balanceTransactions.retrieve(transactions.data[0]?.id as string);
  const payout = await stripe.payouts.create({ amount: 1000, currency: "usd" });
  await stripe.payouts.retrieve(payout.id);
  await stripe.payouts.update(payout.id, { metadata: { batch: "1" } });
  await stripe.payouts.list({ limit: 3 });
  await stripe.payouts.cancel(payout.id);
  const topup = await stripe.topups.create({ amount: 2000, currency: "usd" });
  await stripe.topups.retrieve(topup.id);
  await stripe.topups.update(topup.id, { description: "float" });
  await stripe.topups.list({ limit: 3 });
  await stripe.topups.cancel(topup.id);
  const account = await stripe.accounts.create({ type: "standard" });
  await stripe.accounts.retrieve(account.id);
  await stripe.accounts.update(account.id, { metadata: { shop: "1" } });
  await stripe.accounts.list({ limit: 3 });
  const transfer = await stripe.transfers.create({ amount: 500, currency: "usd", destination: account.id });
  await stripe.transfers.retrieve(transfer.id);
  await stripe.transfers.update(transfer.id, { metadata: { order: "1" } });
  await stripe.transfers.createReversal(transfer.id, { amount: 100 });
  await stripe.transfers.listReversals(transfer.id);
  await stripe.transfers.list({ limit: 3 });
  await stripe.accounts.del(account.id);
  const holder = await stripe.customers.create({});
  const card = await stripe.customers.createSource(holder.id, { source: "tok_mastercard" });
  await stripe.customers.retrieveSource(holder.id, card.id);
  await stripe.customers.updateSource(holder.id, card.id, { metadata: { foo: "bar" } });
  await stripe.customers.listSources(holder.id);
  await stripe.customers.deleteSource(holder.id, card.id);
  await stripe.billingPortal.sessions.create({ customer: holder.id });
  const portal = await stripe.billingPortal.configurations.create({
    business_profile: { headline: "Shapes" },
    features: { subscription_cancel: { enabled: true } },
  });
  await stripe.billingPortal.configurations.retrieve(portal.id);
  await stripe.billingPortal.configurations.update(portal.id, { metadata: { foo: "bar" } });
  await stripe.billingPortal.configurations.list({ limit: 3 });
  const link = await stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }] });
  await stripe.paymentLinks.retrieve(link.id);
  await stripe.paymentLinks.update(link.id, { allow_promotion_codes: true });
  await stripe.paymentLinks.listLineItems(link.id);
  await stripe.paymentLinks.list({ limit: 3 });

  const cardholder = await stripe.issuing.cardholders.create({
    name: "Jenny Rosen",
    billing: { address: { line1: "1 Main St", city: "San Francisco", postal_code: "94111", country: "US" } },
    individual: {
      first_name: "Jenny",
      last_name: "Rosen",
      card_issuing: { user_terms_acceptance: { date: 1_470_266_163, ip: "91.121.146.224" } },
    },
  });
  await stripe.issuing.cardholders.retrieve(cardholder.id);
  await stripe.issuing.cardholders.update(cardholder.id, { email: "jenny@example.com" });
  await stripe.issuing.cardholders.list({ limit: 3 });
  const issued = await stripe.issuing.cards.create({ cardholder: cardholder.id, currency: "usd", type: "virtual" });
  await stripe.issuing.cards.retrieve(issued.id);
  await stripe.issuing.cards.update(issued.id, { status: "active" });
  await stripe.issuing.cards.list({ cardholder: cardholder.id });
  const authorization = await stripe.testHelpers.issuing.authorizations.create({ card: issued.id, amount: 900 });
  await stripe.testHelpers.issuing.authorizations.increment(authorization.id, { increment_amount: 100 });
  await stripe.testHelpers.issuing.authorizations.reverse(authorization.id, { reverse_amount: 100 });
  await stripe.testHelpers.issuing.authorizations.capture(authorization.id);
  await stripe.issuing.authorizations.retrieve(authorization.id);
  await stripe.issuing.authorizations.update(authorization.id, { metadata: { order: "1" } });
  await stripe.issuing.authorizations.list({ card: issued.id });
  const expiring = await stripe.testHelpers.issuing.authorizations.create({ card: issued.id, amount: 100 });
  await stripe.testHelpers.issuing.authorizations.expire(expiring.id);
  const forced = await stripe.testHelpers.issuing.transactions.createForceCapture({
    card: issued.id,
    amount: 700,
    purchase_details: { receipt: [{ description: "Ride", quantity: Stripe.Decimal.from("1"), unit_cost: 700 }] },
  });
  await stripe.testHelpers.issuing.transactions.refund(forced.id, { refund_amount: 200 });
  await stripe.testHelpers.issuing.transactions.createUnlinkedRefund({ card: issued.id, amount: 50 });
  await stripe.issuing.transactions.retrieve(forced.id);
  await stripe.issuing.transactions.update(forced.id, { metadata: { order: "2" } });
  await stripe.issuing.transactions.list({ card: issued.id });
  const verification = await stripe.identity.verificationSessions.create({
    type: "document",
    provided_details: { email: "jenny@example.com" },
  });
  await stripe.identity.verificationSessions.retrieve(verification.id);
  await stripe.identity.verificationSessions.update(verification.id, { metadata: { user: "1" } });
  await stripe.identity.verificationSessions.list({ limit: 3 });
  await stripe.identity.verificationSessions.cancel(
    (await stripe.identity.verificationSessions.create({ type: "id_number" })).id,
  );
  await stripe.identity.verificationSessions.redact(verification.id);
  await stripe.reporting.reportTypes.list();
  await stripe.reporting.reportTypes.retrieve("balance.summary.1");
  const reportRun = await stripe.reporting.reportRuns.create({ report_type: "balance.summary.1" });
  await stripe.reporting.reportRuns.retrieve(reportRun.id);
  await stripe.reporting.reportRuns.list({ limit: 3 });

  const setup = await stripe.setupIntents.create({ customer: customer.id });
  await stripe.setupIntents.update(setup.id, { metadata: { c: "3" } });
  await stripe.setupIntents.confirm(setup.id, { payment_method: "pm_card_visa" });
  await stripe.setupIntents.retrieve(setup.id);
  const unused = await stripe.setupIntents.create({});
  await stripe.setupIntents.cancel(unused.id);
  await stripe.setupIntents.list({ limit: 3 });

  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    // Stripe takes only one-time prices in payment mode: this one is made inline.
    line_items: [{ price_data: { currency: "usd", unit_amount: 1500, product: product.id }, quantity: 2 }],
    success_url: "https://example.com/ok",
  });
  await stripe.checkout.sessions.retrieve(session.id, { expand: ["line_items"] });
  await stripe.checkout.sessions.listLineItems(session.id);
  await stripe.checkout.sessions.list({ limit: 3 });
  await stripe.checkout.sessions.expire(session.id);

  const endpoint = await stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/hook", enabled_events: ["*"] });
  await stripe.webhookEndpoints.retrieve(endpoint.id);
  await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
  await stripe.webhookEndpoints.list();
  await stripe.webhookEndpoints.del(endpoint.id);

  await driveBillingOverTime(price.id);

  const funded = await stripe.testHelpers.customers.fundCashBalance(customer.id, { amount: 500, currency: "usd" });
  await stripe.customers.retrieveCashBalance(customer.id);
  await stripe.customers.updateCashBalance(customer.id, { settings: { reconciliation_mode: "automatic" } });
  await stripe.customers.listCashBalanceTransactions(customer.id);
  await stripe.customers.retrieveCashBalanceTransaction(customer.id, funded.id);

  const debit = await stripe.paymentIntents.create({
    amount: 1000,
    currency: "eur",
    confirm: true,
    payment_method_data: {
      type: "sepa_debit",
      sepa_debit: { iban: "AT611904300234573201" },
      billing_details: { name: "Shape", email: "shape@example.com" },
    },
    mandate_data: { customer_acceptance: { type: "offline" } },
    expand: ["latest_charge"],
  });
  const debitCharge = debit.latest_charge as Stripe.Charge;
  await stripe.mandates.retrieve(debitCharge.payment_method_details?.sepa_debit?.mandate as string);

  const meter = await stripe.billing.meters.create({
    display_name: "Shapes",
    event_name: "shape_event",
    default_aggregation: { formula: "sum" },
  });
  await stripe.billing.meters.retrieve(meter.id);
  await stripe.billing.meters.update(meter.id, { display_name: "Shapes 2" });
  await stripe.billing.meters.list({ status: "active" });
  await stripe.billing.meterEvents.create({
    event_name: "shape_event",
    payload: { stripe_customer_id: customer.id, value: "2" },
    identifier: "shape-1",
  });
  await stripe.billing.meterEventAdjustments.create({
    event_name: "shape_event",
    type: "cancel",
    cancel: { identifier: "shape-1" },
  });
  await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: 0, end_time: 3600 });
  await stripe.billing.meters.deactivate(meter.id);
  await stripe.billing.meters.reactivate(meter.id);

  const events = await stripe.events.list({ limit: 100 });
  await stripe.events.retrieve(events.data[0]?.id as string);
  await stripe.products.del((await stripe.products.create({ name: "Gone" })).id);
  await stripe.customers.del(unpaid.id);
}

/** Test clocks, and the subscription schedules and quotes that move with them. */
async function driveBillingOverTime(price: string): Promise<void> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: 1_704_067_200, name: "shapes" });
  await stripe.testHelpers.testClocks.retrieve(clock.id);
  await stripe.testHelpers.testClocks.list({ limit: 3 });
  const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa" });
  const schedule = await stripe.subscriptionSchedules.create({
    customer: customer.id,
    start_date: "now",
    phases: [{ items: [{ price }], duration: { interval: "month" } }, { items: [{ price, quantity: 2 }] }],
  });
  await stripe.subscriptionSchedules.update(schedule.id, { metadata: { shape: "1" } });
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1_706_745_600 });
  await stripe.subscriptionSchedules.retrieve(schedule.id);
  await stripe.subscriptionSchedules.list({ customer: customer.id });
  await stripe.subscriptionSchedules.release(schedule.id);
  const other = await stripe.subscriptionSchedules.create({ customer: customer.id, phases: [{ items: [{ price }] }] });
  await stripe.subscriptionSchedules.cancel(other.id);
  const quote = await stripe.quotes.create({ customer: customer.id, line_items: [{ price, quantity: 2 }] });
  await stripe.quotes.update(quote.id, { header: "Shapes" });
  await stripe.quotes.retrieve(quote.id, { expand: ["line_items"] });
  await stripe.quotes.listLineItems(quote.id);
  await stripe.quotes.listComputedUpfrontLineItems(quote.id);
  await stripe.quotes.list({ customer: customer.id });
  await stripe.quotes.finalizeQuote(quote.id);
  await stripe.quotes.accept(quote.id);
  const dropped = await stripe.quotes.create({ customer: customer.id, line_items: [{ price }] });
  await stripe.quotes.cancel(dropped.id);
  await stripe.testHelpers.testClocks.del(clock.id);
}

/** The schema's endpoint for a request: the template that matches with the most literal parts. */
function endpointOf(method: string, path: string): SchemaEndpoint | undefined {
  const parts = path.split("/");
  let best: { endpoint: SchemaEndpoint; literals: number } | undefined;
  for (const endpoint of stripeSchema().endpoints) {
    const template = endpoint.path.split("/");
    if (endpoint.method !== method || template.length !== parts.length) continue;
    if (!template.every((part, index) => part.startsWith("{") || part === parts[index])) continue;
    const literals = template.filter((part) => !part.startsWith("{")).length;
    if (!best || literals > best.literals) best = { endpoint, literals };
  }
  return best?.endpoint;
}

describe("every answer has the shape the stripe package declares", () => {
  it("drives every implemented endpoint, and each answer has every field declared always present", async () => {
    await driveEveryEndpoint();
    const schema = stripeSchema();
    const called = new Set<SchemaEndpoint>();
    const problems: string[] = [];
    for (const answer of answers) {
      const endpoint = endpointOf(answer.method, answer.path);
      expect(answer.status, `${answer.method} ${answer.path}: ${JSON.stringify(answer.body)}`).toBe(200);
      if (!endpoint) throw new Error(`no schema endpoint for ${answer.method} ${answer.path}`);
      called.add(endpoint);
      for (const problem of shapeProblems(schema, answer.body, endpoint.returns)) {
        problems.push(`${endpoint.method} ${endpoint.path} ${problem}`);
      }
    }
    expect(problems).toEqual([]);
    const missed = emulator.implementedEndpoints().filter((endpoint) => !called.has(endpoint));
    expect(missed.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual([]);
  });

  it("emits events whose objects have that shape too", () => {
    const schema = stripeSchema();
    const eventNode = schema.endpoints.find((endpoint) => endpoint.path === "/v1/events/{id}")?.returns;
    if (!eventNode) throw new Error("the schema has no event retrieve endpoint");
    const problems = emulator.events().flatMap((event) => shapeProblems(schema, event, eventNode, event.type));

    expect(emulator.events().length).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
