import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadMirrorMigrations, migrateMirror } from "../../src/mirror/migrate.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { POSTGRES_URL } from "../support/stores.js";
import { type MirrorTestDb, openMirrorTestDb } from "./support.js";

describe("the mirror's migrations", () => {
  let db: MirrorTestDb;
  afterEach(() => db.cleanup());

  it("create one table per anticipated object type, once, even with several migrators at once", async () => {
    db = await openMirrorTestDb("postgres");
    const others = Array.from({ length: 3 }, () =>
      openPostgresStore({ connectionString: POSTGRES_URL, schema: db.config.schema }),
    );
    try {
      const results = await Promise.all([db.store, ...others].map((store) => migrateMirror(store, db.mirrorSchema)));
      expect(results.flat()).toEqual(loadMirrorMigrations().map((migration) => migration.name));
      expect(await migrateMirror(db.store, db.mirrorSchema)).toEqual([]);
    } finally {
      await Promise.all(others.map((store) => store.close()));
    }
    const tables = await db.store.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [db.mirrorSchema],
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        "customers",
        "subscriptions",
        "subscription_items",
        "invoice_line_items",
        "checkout_sessions",
      ]),
    );
  });

  it("refuses a mirror schema that is not a plain identifier", async () => {
    db = await openMirrorTestDb("postgres");
    await expect(migrateMirror(db.store, 'stripe"; drop')).rejects.toMatchObject({ code: "config_invalid" });
  });
});

describe("the committed mirror schema dump", () => {
  it("matches what the mirror's migrations create", async () => {
    const { stdout } = await promisify(execFile)("node", ["scripts/schema-dump.mjs", "--mirror", "--check"]);
    expect(stdout).toContain("is current");
  });
});
