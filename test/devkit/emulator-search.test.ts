import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

/** A metadata value no other test uses, so each test searches only what it made. */
const newRun = () => randomUUID().slice(0, 8);

async function customers(run: string, people: { name: string; email: string; plan?: string }[]) {
  const made: Stripe.Customer[] = [];
  for (const person of people) {
    const metadata: Record<string, string> = { run, ...(person.plan !== undefined && { plan: person.plan }) };
    made.push(await ctx.stripe.customers.create({ name: person.name, email: person.email, metadata }));
  }
  return made;
}

const names = (result: { data: { name?: string | null }[] }) => result.data.map((each) => each.name).sort();

describe("search through the official client", () => {
  it("joins clauses with AND, with spaces, and with OR", async () => {
    const run = newRun();
    await customers(run, [
      { name: "Ada", email: "ada@acme.test", plan: "pro" },
      { name: "Bob", email: "bob@acme.test", plan: "free" },
      { name: "Cy", email: "cy@other.test", plan: "pro" },
    ]);
    const both = await ctx.stripe.customers.search({ query: `metadata["run"]:"${run}" AND metadata["plan"]:"pro"` });
    expect(names(both)).toEqual(["Ada", "Cy"]);
    const spaced = await ctx.stripe.customers.search({ query: `metadata['run']:'${run}' email:'ada@acme.test'` });
    expect(names(spaced)).toEqual(["Ada"]);
    const either = await ctx.stripe.customers.search({
      query: `email:"bob@acme.test" or email:"cy@other.test" OR name:"nobody-${run}"`,
    });
    expect(names(either)).toEqual(["Bob", "Cy"]);
    expect(either).toMatchObject({ object: "search_result", url: "/v1/customers/search", has_more: false });
    expect(either.next_page).toBeNull();
  });

  it("negates a clause with -, and matches absent metadata with null", async () => {
    const run = newRun();
    await customers(run, [
      { name: "Ada", email: "ada@acme.test", plan: "pro" },
      { name: "Bob", email: "bob@acme.test" },
    ]);
    const notPro = await ctx.stripe.customers.search({ query: `metadata["run"]:"${run}" -metadata["plan"]:"pro"` });
    expect(names(notPro)).toEqual(["Bob"]);
    const noPlan = await ctx.stripe.customers.search({ query: `metadata["run"]:"${run}" metadata["plan"]:null` });
    expect(names(noPlan)).toEqual(["Bob"]);
    const hasPlan = await ctx.stripe.customers.search({ query: `metadata["run"]:"${run}" -metadata["plan"]:null` });
    expect(names(hasPlan)).toEqual(["Ada"]);
  });

  it("matches strings exactly but case-insensitively, and substrings with ~", async () => {
    const run = newRun();
    await customers(run, [
      { name: "Ada Lovelace", email: `ada.${run}@acme.test` },
      { name: "Bob", email: `bob.${run}@ACME.test` },
      { name: "Cy", email: `cy.${run}@other.test` },
    ]);
    expect(names(await ctx.stripe.customers.search({ query: `email:"ADA.${run}@acme.test"` }))).toEqual([
      "Ada Lovelace",
    ]);
    expect(names(await ctx.stripe.customers.search({ query: `email~"${run}@acme"` }))).toEqual(["Ada Lovelace", "Bob"]);
    expect(names(await ctx.stripe.customers.search({ query: `email~"${run}" AND name~"lovel"` }))).toEqual([
      "Ada Lovelace",
    ]);
    expect((await ctx.stripe.customers.search({ query: `name:"Ada" email~"${run}"` })).data).toEqual([]);
  });

  it("compares numbers and timestamps with >, >=, < and <=", async () => {
    const run = newRun();
    for (const amount of [500, 1000, 1500, 2000]) {
      await ctx.stripe.paymentIntents.create({ amount, currency: "usd", metadata: { run } });
    }
    const amounts = async (clause: string) =>
      (await ctx.stripe.paymentIntents.search({ query: `metadata["run"]:"${run}" AND ${clause}` })).data
        .map((intent) => intent.amount)
        .sort((a, b) => a - b);
    expect(await amounts("amount>1000")).toEqual([1500, 2000]);
    expect(await amounts("amount>=1000")).toEqual([1000, 1500, 2000]);
    expect(await amounts("amount<1000")).toEqual([500]);
    expect(await amounts("amount<=1000")).toEqual([500, 1000]);
    expect(await amounts("amount:1500")).toEqual([1500]);
    expect(await amounts('amount:"1500"')).toEqual([1500]);
    const now = Math.floor(Date.now() / 1000);
    expect(await amounts(`created>${now - 3600}`)).toEqual([500, 1000, 1500, 2000]);
    expect(await amounts(`created>${now + 3600}`)).toEqual([]);
    expect(await amounts('-currency:"usd"')).toEqual([]);
  });

  it("pages with limit and next_page, counts with expand[]=total_count, and auto-paginates", async () => {
    const run = newRun();
    const made = await customers(
      run,
      Array.from({ length: 23 }, (_, index) => ({ name: `n${index}`, email: `p${index}@acme.test` })),
    );
    const query = `metadata["run"]:"${run}"`;
    const seen: string[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const result: Stripe.ApiSearchResult<Stripe.Customer> = await ctx.stripe.customers.search({
        query,
        limit: 10,
        ...(page !== undefined && { page }),
      });
      pages++;
      seen.push(...result.data.map((customer) => customer.id));
      expect(result.has_more).toBe(result.next_page !== null);
      expect(result.total_count).toBeUndefined();
      page = result.next_page ?? undefined;
    } while (page !== undefined);
    expect(pages).toBe(3);
    // Newest first, as Stripe's lists run.
    expect(seen).toEqual(made.map((customer) => customer.id).reverse());
    const counted = await ctx.stripe.customers.search({ query, limit: 1, expand: ["total_count"] });
    expect(counted).toMatchObject({ total_count: 23, has_more: true });
    const all = await ctx.stripe.customers.search({ query, limit: 5 }).autoPagingToArray({ limit: 100 });
    expect(all.map((customer) => customer.id)).toEqual(seen);
  });

  it("expands references in the results", async () => {
    const run = newRun();
    const [customer] = (await customers(run, [{ name: "Ada", email: "ada@acme.test" }])) as [Stripe.Customer];
    await ctx.stripe.paymentIntents.create({ amount: 700, currency: "eur", customer: customer.id, metadata: { run } });
    const found = await ctx.stripe.paymentIntents.search({
      query: `customer:"${customer.id}"`,
      expand: ["data.customer"],
    });
    expect(found.data.map((intent) => (intent.customer as Stripe.Customer).name)).toEqual(["Ada"]);
  });

  it("searches charges, prices, products, subscriptions and invoices by their own fields", async () => {
    const run = newRun();
    await ctx.stripe.paymentIntents.create({
      amount: 4242,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
      metadata: { run },
    });
    const charges = await ctx.stripe.charges.search({
      query: `amount:4242 AND status:"succeeded" AND payment_method_details.card.last4:"4242" AND refunded:"false"`,
    });
    expect(charges.data.map((charge) => charge.amount)).toContain(4242);
    const product = await ctx.stripe.products.create({ name: `Gold ${run}`, metadata: { run } });
    const price = await ctx.stripe.prices.create({
      currency: "usd",
      unit_amount: 1200,
      recurring: { interval: "month" },
      product: product.id,
      lookup_key: `gold-${run}`,
    });
    expect((await ctx.stripe.products.search({ query: `name~"${run}" AND active:"true"` })).data).toEqual([product]);
    expect((await ctx.stripe.prices.search({ query: `lookup_key:"gold-${run}" type:"recurring"` })).data).toEqual([
      price,
    ]);
    expect((await ctx.stripe.prices.search({ query: `product:"${product.id}" AND active:"false"` })).data).toEqual([]);
    const customer = await ctx.stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    const subscription = await ctx.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      metadata: { run },
    });
    const subscriptions = await ctx.stripe.subscriptions.search({ query: `metadata["run"]:"${run}" status:"active"` });
    expect(subscriptions.data.map((each) => each.id)).toEqual([subscription.id]);
    const invoices = await ctx.stripe.invoices.search({
      query: `subscription:"${subscription.id}" AND total>=1200 AND status:"paid"`,
    });
    expect(invoices.data.map((invoice) => invoice.id)).toEqual([subscription.latest_invoice]);
  });
});

/** What the official client raises for a refused search. */
async function refusal(query: string, extra: { page?: string } = {}) {
  const error = await ctx.stripe.customers.search({ query, ...extra }).catch((caught: unknown) => caught);
  if (!(error instanceof Stripe.errors.StripeError)) throw new Error(`the query was accepted: ${query}`);
  return { status: error.statusCode, type: error.rawType, param: error.param, message: error.message };
}

describe("a malformed search query answers 400 naming query", () => {
  const MALFORMED: [string, string, string][] = [
    ["AND and OR mixed", 'email:"a@b.co" AND name:"Ada" OR name:"Bob"', "AND and OR cannot be combined"],
    ["a space and OR mixed", 'email:"a@b.co" name:"Ada" OR name:"Bob"', "AND and OR cannot be combined"],
    ["an unquoted string", "email:ada", 'string values must be quoted: email:"ada"'],
    ["a string with no closing quote", 'email:"ada', "has no closing"],
    ["no operator", 'email "ada"', "expected an operator"],
    ["no value", "email:", "expected a value after email"],
    ["a dangling AND", 'email:"a@b.co" AND', "expected a clause after AND"],
    ["an unquoted metadata key", 'metadata[plan]:"pro"', 'expected a quoted key in metadata["key"]'],
    ["a substring shorter than three characters", 'email~"ad"', "needs at least 3 characters"],
    ["a substring of a number", "created~1000", "created is a numeric field"],
    ["a comparison on a string", 'email>"a"', "email is a string field"],
    ["a number that is not one", 'created>"soon"', 'created takes a number, not "soon"'],
    [
      "a field the resource does not search",
      'status:"active"',
      "Field 'status' is an unsupported search field for resource customers. See https://stripe.com/docs/search#query-fields-for-customers for a list of supported fields.",
    ],
    [
      "more than ten clauses",
      Array.from({ length: 11 }, (_, index) => `name:"n${index}"`).join(" OR "),
      "at most 10 clauses",
    ],
  ];

  it.each(MALFORMED)("%s", async (_name, query, words) => {
    const refused = await refusal(query);
    expect(refused).toMatchObject({ status: 400, type: "invalid_request_error", param: "query" });
    expect(refused.message).toContain(words);
  });

  it("refuses a page token from another query or none of ours, naming page", async () => {
    const run = newRun();
    await customers(run, [
      { name: "A", email: "a@acme.test" },
      { name: "B", email: "b@acme.test" },
    ]);
    const first = await ctx.stripe.customers.search({ query: `metadata["run"]:"${run}"`, limit: 1 });
    expect(first.next_page).toEqual(expect.any(String));
    for (const page of [first.next_page as string, "bogus"]) {
      expect(await refusal(`name:"A"`, { page })).toMatchObject({ status: 400, param: "page" });
    }
  });

  it("links a resource's own list of fields when refusing one it does not search", async () => {
    const error = await ctx.stripe.paymentIntents
      .search({ query: 'email:"a@b.co"' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      statusCode: 400,
      param: "query",
      message:
        "Field 'email' is an unsupported search field for resource payment_intents. See https://stripe.com/docs/search#query-fields-for-paymentintents for a list of supported fields.",
    });
  });

  it("requires query", async () => {
    const missing = await ctx.stripe.customers
      .search({} as Stripe.CustomerSearchParams)
      .catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ statusCode: 400, code: "parameter_missing", param: "query" });
  });
});
