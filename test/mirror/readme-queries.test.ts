import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirror } from "../../src/mirror/apply.js";
import { migrateMirror } from "../../src/mirror/migrate.js";
import { type MirrorTestDb, mirrorEvent, openMirrorTestDb } from "./support.js";

/** The SQL blocks of the README's "The mirror" section, one query per statement. */
function readmeQueries(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(
    readme.indexOf("## The mirror"),
    readme.indexOf("\n## ", readme.indexOf("## The mirror") + 1),
  );
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)]
    .flatMap((match) => (match[1] ?? "").split(";"))
    .map((query) => query.replace(/--.*$/gm, "").trim())
    .filter((query) => query !== "");
}

describe("the README's example queries", () => {
  let db: MirrorTestDb;
  const now = Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    db = await openMirrorTestDb("postgres");
    await migrateMirror(db.store, db.mirrorSchema);
    const mirror = createMirror(db.mirrorSchema);
    const events = [
      mirrorEvent({
        type: "customer.created",
        object: {
          id: "cus_123",
          object: "customer",
          email: "jenny@example.com",
          invoice_settings: { default_payment_method: "pm_1" },
        },
        created: now,
      }),
      mirrorEvent({
        type: "customer.subscription.created",
        object: {
          id: "sub_1",
          object: "subscription",
          customer: "cus_123",
          status: "active",
          items: {
            object: "list",
            has_more: false,
            data: [
              {
                id: "si_1",
                object: "subscription_item",
                price: { id: "price_1" },
                quantity: 2,
                current_period_end: now + 86_400,
              },
            ],
          },
        },
        created: now,
      }),
      mirrorEvent({
        type: "payment_intent.succeeded",
        object: {
          id: "pi_1",
          object: "payment_intent",
          status: "succeeded",
          amount_received: 2000,
          currency: "usd",
          created: now,
        },
        created: now,
      }),
      mirrorEvent({
        type: "invoice.finalized",
        object: {
          id: "in_1",
          object: "invoice",
          customer: "cus_9",
          status: "open",
          amount_due: 500,
          status_transitions: { finalized_at: now },
        },
        created: now,
        account: "acct_123",
      }),
    ];
    for (const event of events) await db.store.transaction((tx) => mirror.apply(tx, event));
  });
  afterAll(() => db.cleanup());

  it("run against the mirror and find what the events put there", async () => {
    const queries = readmeQueries();
    expect(queries).toHaveLength(4);
    for (const query of queries) {
      const rows = await db.store.query(query.replaceAll("stripe.", `"${db.mirrorSchema}".`));
      expect(rows.length, query).toBeGreaterThan(0);
    }
  });
});
