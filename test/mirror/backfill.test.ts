import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createMirror } from "../../src/mirror/apply.js";
import { backfill } from "../../src/mirror/backfill.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { ENGINES } from "../support/stores.js";
import { type MirrorTestDb, mirrorEvent, openMirrorTestDb } from "./support.js";

describe.each(ENGINES)("backfill from the emulator on %s", (engine) => {
  let db: MirrorTestDb;
  let emulator: RunningEmulator;
  let stripe: Stripe;
  afterEach(async () => {
    await emulator.close();
    await db.cleanup();
  });

  const open = async (customers: number) => {
    emulator = await startEmulator({ port: 0 });
    stripe = createStripeClient({ apiKey: "sk_test_backfill", apiBase: emulator.url }, "test");
    for (let n = 0; n < customers; n++) await stripe.customers.create({ email: `c${n}@example.com` });
    db = await openMirrorTestDb(engine);
    await migrateMirror(db.store, db.mirrorSchema);
  };
  const customerRows = async () =>
    db.store.query<{ id: string; email: string }>(
      `SELECT id, email FROM "${db.mirrorSchema}".customers WHERE account = '' ORDER BY id`,
    );
  const customerListCalls = () =>
    emulator.requests().filter((request) => request.method === "GET" && request.path.startsWith("/v1/customers"))
      .length;

  it("killed half-way, goes on from its last page and ends complete, each object once", async () => {
    await open(250);
    const killedAfterTwoPages = backfill(db.store, stripe, {
      mirrorSchema: db.mirrorSchema,
      types: ["products", "customers"],
      onProgress: (progress) => {
        if (progress.type === "customers" && progress.written === 200) throw new Error("killed");
      },
    });
    await expect(killedAfterTwoPages).rejects.toThrow("killed");
    expect(await customerRows()).toHaveLength(200);
    const callsBefore = customerListCalls();

    const results = await backfill(db.store, stripe, {
      mirrorSchema: db.mirrorSchema,
      types: ["products", "customers"],
    });
    expect(results).toEqual([
      { type: "products", written: 0, done: true, resumed: true },
      { type: "customers", written: 50, done: true, resumed: true },
    ]);
    // One page: the last 50, not the whole list again.
    expect(customerListCalls() - callsBefore).toBe(1);
    const rows = await customerRows();
    const listed = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(rows.map((row) => row.id)).toEqual(listed.map((customer) => customer.id).sort());

    // Complete: the checkpoints are gone and the next run lists everything again.
    const again = await backfill(db.store, stripe, { mirrorSchema: db.mirrorSchema, types: ["customers"] });
    expect(again).toEqual([{ type: "customers", written: 250, done: true, resumed: false }]);
  }, 60_000);

  it("overwrites what older events wrote and keeps what newer events wrote", async () => {
    await open(2);
    const [older, newer] = (await stripe.customers.list({ limit: 2 })).data;
    if (!older || !newer) throw new Error("the emulator listed no customers");
    const mirror = createMirror(db.mirrorSchema);
    const now = Math.floor(Date.now() / 1000);
    for (const [customer, created, email] of [
      [older, now - 3_600, "old@example.com"],
      [newer, now + 3_600, "newer@example.com"],
    ] as const) {
      const event = mirrorEvent({ type: "customer.updated", object: { ...customer, email }, created });
      await db.store.transaction((tx) => mirror.apply(tx, event));
    }
    await backfill(db.store, stripe, { mirrorSchema: db.mirrorSchema, types: ["customers"] });
    expect(await db.row("customers", older.id)).toMatchObject({ email: older.email, last_event_type: "backfill" });
    expect(await db.row("customers", newer.id)).toMatchObject({ email: "newer@example.com" });
  });

  it("keeps the same id under the platform and a connected account apart, each under its account", async () => {
    await open(0);
    const connected = "acct_1BackfillConnect";
    await stripe.products.create({ id: "prod_twice", name: "Platform's" });
    await stripe.products.create({ id: "prod_twice", name: "Connected's" }, { stripeAccount: connected });
    const onlyConnected = await stripe.customers.create({ email: "c@example.com" }, { stripeAccount: connected });
    const results = await backfill(db.store, stripe, {
      mirrorSchema: db.mirrorSchema,
      types: ["products", "customers"],
      accounts: ["", connected],
    });
    expect(results.map((result) => [result.account ?? "", result.type, result.written])).toEqual([
      ["", "products", 1],
      ["", "customers", 0],
      [connected, "products", 1],
      [connected, "customers", 1],
    ]);
    const products = await db.store.query<{ account: string; name: string }>(
      `SELECT account, data->>'name' AS name FROM "${db.mirrorSchema}".products WHERE id = 'prod_twice' ORDER BY account`,
    );
    expect(products).toEqual([
      { account: "", name: "Platform's" },
      { account: connected, name: "Connected's" },
    ]);
    expect(await db.row("customers", onlyConnected.id, connected)).toMatchObject({ email: "c@example.com" });
    expect(await db.row("customers", onlyConnected.id)).toBeUndefined();
    const sentAs = emulator
      .requests()
      .filter((request) => request.path === "/v1/customers" && request.method === "GET")
      .map((request) => request.stripeAccount);
    expect(sentAs).toEqual([null, connected]);
  });

  it("refuses an account that is not an acct_ id before calling the API", async () => {
    await open(0);
    await expect(
      backfill(db.store, stripe, { mirrorSchema: db.mirrorSchema, types: ["customers"], accounts: ["cus_123"] }),
    ).rejects.toThrow("Not Stripe account ids: cus_123; expected acct_... or platform.");
    expect(customerListCalls()).toBe(0);
  });

  it("refuses a type it cannot list, naming the ones it can", async () => {
    await open(0);
    await expect(backfill(db.store, stripe, { mirrorSchema: db.mirrorSchema, types: ["widgets"] })).rejects.toThrow(
      /Cannot backfill widgets; known types: products, prices, customers/,
    );
  });
});
