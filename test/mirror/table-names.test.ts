import { describe, expect, it } from "vitest";
import { pluralize, tableForObject } from "../../src/mirror/table-names.js";

describe("the mirror's table for a Stripe object", () => {
  it.each([
    ["customer", "customers"],
    ["subscription", "subscriptions"],
    ["subscription_item", "subscription_items"],
    ["invoiceitem", "invoiceitems"],
    ["line_item", "line_items"],
    ["checkout.session", "checkout_sessions"],
    ["billing_portal.session", "billing_portal_sessions"],
    ["radar.early_fraud_warning", "early_fraud_warnings"],
    ["radar.value_list_item", "value_list_items"],
    ["issuing.card", "issuing_cards"],
    ["card", "cards"],
    ["test_helpers.test_clock", "test_clocks"],
    ["capability", "capabilities"],
    ["billing.credit_balance_summary", "billing_credit_balance_summaries"],
    ["tax.settings", "tax_settings"],
    ["treasury.financial_account_features", "treasury_financial_account_features"],
    ["tax_id", "tax_ids"],
    ["promotion_code", "promotion_codes"],
    ["balance_transaction", "balance_transactions"],
    ["person", "persons"],
    ["three_d_secure.authentication", "three_d_secure_authentications"],
  ])("%s -> %s", (object, table) => {
    expect(tableForObject(object)).toBe(table);
  });

  it("pluralizes the words Stripe uses", () => {
    expect(["entity", "key", "status", "tax", "batch", "address", "settings", "fee"].map(pluralize)).toEqual([
      "entities",
      "keys",
      "statuses",
      "taxes",
      "batches",
      "addresses",
      "settings",
      "fees",
    ]);
  });

  it("mirrors no v2 object and nothing that is not an object name", () => {
    for (const object of ["v2.core.account", "Customer", "customer; drop table x", "", "a".repeat(70), "cus..x"]) {
      expect(tableForObject(object), object).toBeNull();
    }
  });

  it("gives every object type in the stripe package a distinct table", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const names = new Set<string>();
    const walk = (dir: URL) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir));
        else if (entry.name.endsWith(".d.ts") || entry.name.endsWith(".js"))
          for (const [, name] of readFileSync(new URL(entry.name, dir), "utf8").matchAll(
            /^\s+object: '([a-z0-9_.]+)';/gm,
          ))
            if (name) names.add(name);
      }
    };
    walk(new URL("../../node_modules/stripe/cjs/resources/", import.meta.url));
    const v1 = [...names].filter((name) => !name.startsWith("v2."));
    expect(v1.length).toBeGreaterThan(100);
    const tables = v1.map((name) => tableForObject(name));
    expect(tables.filter((table) => table === null)).toEqual([]);
    expect(new Set(tables).size).toBe(v1.length);
  });
});
