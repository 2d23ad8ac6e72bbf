import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { currentMigration, LATEST_MIGRATION, loadMigrations, migrate } from "../../src/store/migrate.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { ENGINES, openTestStore, POSTGRES_URL, type TestStore } from "../support/stores.js";

describe.each(ENGINES)("migrations on %s", (engine) => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  it("applies every numbered file once, in order, and nothing on a second run", async () => {
    db = await openTestStore(engine);
    expect(await currentMigration(db.store)).toBe(0);
    const applied = await migrate(db.store);
    expect(applied).toEqual(loadMigrations().map((migration) => migration.name));
    expect(await currentMigration(db.store)).toBe(LATEST_MIGRATION);
    expect(await migrate(db.store)).toEqual([]);
    // Tables, not their partitions; the three partitioned by month are relkind 'p'.
    const tables = await db.store.query<{ table_name: string; partitioned: boolean }>(
      `SELECT relname AS table_name, relkind = 'p' AS partitioned FROM pg_class
        WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`,
      [db.config.schema],
    );
    expect(tables.filter((row) => row.partitioned).map((row) => row.table_name)).toEqual([
      "deliveries",
      "events",
      "handler_runs",
    ]);
    expect(tables.map((row) => row.table_name)).toEqual([
      "deliveries",
      "events",
      "handler_pauses",
      "handler_runs",
      "migrations",
      "pruned_event_ids",
      "webhook_secrets",
    ]);
  });
});

describe("migrations from two processes at once", () => {
  let db: TestStore;
  afterEach(() => db.cleanup());

  it("applies each migration exactly once when several migrators start together", async () => {
    db = await openTestStore("postgres");
    const others = Array.from({ length: 4 }, () =>
      openPostgresStore({ connectionString: POSTGRES_URL, schema: db.config.schema }),
    );
    try {
      const results = await Promise.all([db.store, ...others].map((store) => migrate(store)));
      // Which migrator applies which file depends on who takes the lock first; together they apply each once.
      expect(results.flat().sort()).toEqual(loadMigrations().map((migration) => migration.name));
      const rows = await db.store.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.config.schema}".migrations`);
      expect(Number(rows[0]?.n)).toBe(loadMigrations().length);
    } finally {
      await Promise.all(others.map((store) => store.close()));
    }
  });
});

describe("the committed schema dump", () => {
  it("matches what the migrations create", async () => {
    const run = promisify(execFile);
    const { stdout } = await run("node", ["scripts/schema-dump.mjs", "--check"]);
    expect(stdout).toContain("is current");
  });
});
