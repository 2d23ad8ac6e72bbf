import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { openTestStore, type TestStore } from "../support/stores.js";

const SELECT_KINDS = "SELECT * FROM kinds WHERE id = $1";
const INSERT_KINDS = "INSERT INTO kinds VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *";

describe("PGlite's named statements (prepareAs)", () => {
  let opened: TestStore;
  let store: Store;
  beforeAll(async () => {
    opened = await openTestStore("pglite");
    store = opened.store;
    await store.exec(`CREATE TABLE kinds (id text PRIMARY KEY, seen timestamptz, n int, big bigint, doc json,
                        docb jsonb, body bytea, tags text[]);
                      CREATE TABLE counted (id text PRIMARY KEY)`);
  });
  afterAll(() => opened.cleanup());

  /** How many times the session has executed a prepared statement of that name; 0 when it is not prepared. */
  const executions = async (name: string) => {
    const [row] = await store.query<{ n: number }>(
      "SELECT (generic_plans + custom_plans)::int AS n FROM pg_prepared_statements WHERE name = $1",
      [name],
    );
    return row?.n ?? 0;
  };

  it("returns the same rows and JavaScript values as an unprepared statement, prepared once for the session", async () => {
    const params = [
      "k1",
      new Date("2026-12-04T10:00:00.123Z"),
      42,
      9007199254740993n,
      JSON.stringify({ n: 1, s: "é" }),
      { nested: [1, null, "x"] },
      Buffer.from([0, 1, 255]),
      ["a", "b,c", 'd"e', "NULL"],
    ];
    const inserted = await store.query(INSERT_KINDS, params, { prepareAs: "test_insert_kinds" });
    await store.query(INSERT_KINDS, ["k2", null, null, null, null, null, null, null], {
      prepareAs: "test_insert_kinds",
    });
    const plain = await store.query(SELECT_KINDS, ["k1"]);
    const first = await store.query(SELECT_KINDS, ["k1"], { prepareAs: "test_select_kinds" });
    const again = await store.query(SELECT_KINDS, ["k1"], { prepareAs: "test_select_kinds" });
    expect(first).toEqual(plain);
    expect(again).toEqual(plain);
    expect(inserted).toEqual(plain);
    const row = again[0] as Record<string, unknown>;
    expect(row.seen).toEqual(params[1]);
    expect(row.n).toBe(42);
    expect(row.big).toBe(9007199254740993n);
    expect(row.doc).toEqual({ n: 1, s: "é" });
    expect(row.docb).toEqual({ nested: [1, null, "x"] });
    expect(row.body).toBeInstanceOf(Uint8Array);
    expect([...(row.body as Uint8Array)]).toEqual([0, 1, 255]);
    expect(row.tags).toEqual(["a", "b,c", 'd"e', "NULL"]);
    const nulls = await store.query(SELECT_KINDS, ["k2"], { prepareAs: "test_select_kinds" });
    expect(nulls).toEqual(await store.query(SELECT_KINDS, ["k2"]));
    expect(await executions("test_select_kinds")).toBe(3);
    expect(await executions("test_insert_kinds")).toBe(2);
  });

  it("passes bytea parameters byte for byte, a view into a larger buffer included", async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    // A slice shares its parent's memory from an offset: only the slice's bytes may go.
    const pooled = Buffer.concat([Buffer.from("before"), every, Buffer.from("after")]).subarray(6, 6 + 256);
    const utf8 = Buffer.from('{"name":"Zoë 💳","quote":"\\""}');
    const sql = "SELECT $1::bytea AS bytes, length($1::bytea) AS n, convert_from($2::bytea, 'UTF8')::json AS doc";
    for (const [bytes, text] of [
      [every, utf8],
      [pooled, utf8.subarray(0)],
      [new Uint8Array(0), Buffer.from("{}")],
    ] as const) {
      const [prepared] = await store.query<{ bytes: Uint8Array; n: number; doc: unknown }>(sql, [bytes, text], {
        prepareAs: "test_bytea",
      });
      const [plain] = await store.query<{ bytes: Uint8Array; n: number; doc: unknown }>(sql, [bytes, text]);
      expect(Buffer.from(prepared?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
      expect(prepared?.n).toBe(bytes.length);
      expect(prepared).toEqual(plain);
    }
    expect(await executions("test_bytea")).toBe(3);
  });

  it("answers a statement without rows and one with no parameters", async () => {
    const deleted = await store.query("DELETE FROM counted WHERE id = $1", ["none"], { prepareAs: "test_delete" });
    expect(deleted).toEqual([]);
    const counted = await store.query("SELECT count(*)::int AS n FROM kinds", [], { prepareAs: "test_count" });
    expect(counted).toEqual([{ n: 2 }]);
  });

  it("runs inside a transaction, sees its writes, and stays prepared after it rolls back", async () => {
    const count = "SELECT count(*)::int AS n FROM counted";
    await expect(
      store.transaction(async (tx) => {
        await tx.query("INSERT INTO counted VALUES ($1)", ["in-tx"], { prepareAs: "test_insert_counted" });
        expect(await tx.query(count, [], { prepareAs: "test_count_counted" })).toEqual([{ n: 1 }]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await store.query(count, [], { prepareAs: "test_count_counted" })).toEqual([{ n: 0 }]);
    await store.query("INSERT INTO counted VALUES ($1)", ["outside"], { prepareAs: "test_insert_counted" });
    expect(await executions("test_insert_counted")).toBe(2);
    await store.query("DELETE FROM counted");
  });

  it("waits for an open transaction to end rather than running inside it", async () => {
    const count = "SELECT count(*)::int AS n FROM counted";
    let counting: Promise<unknown> | undefined;
    await expect(
      store.transaction(async (tx) => {
        await tx.query("INSERT INTO counted VALUES ('uncommitted')");
        counting = store.query(count, [], { prepareAs: "test_count_counted" });
        // The thread takes requests in order: unguarded, that statement would run before this one, in the transaction.
        await tx.query("SELECT 1");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await counting).toEqual([{ n: 0 }]);
  });

  it("survives a failed execution, on its own and in a transaction, and runs the statement again", async () => {
    const insert = "INSERT INTO counted VALUES ($1) RETURNING id";
    await store.query(insert, ["dup"], { prepareAs: "test_insert_dup" });
    await expect(store.query(insert, ["dup"], { prepareAs: "test_insert_dup" })).rejects.toMatchObject({
      code: "23505",
    });
    expect(await store.query(insert, ["after"], { prepareAs: "test_insert_dup" })).toEqual([{ id: "after" }]);
    await expect(
      store.transaction((tx) => tx.query(insert, ["dup"], { prepareAs: "test_insert_dup" })),
    ).rejects.toMatchObject({ code: "23505" });
    const committed = await store.transaction((tx) => tx.query(insert, ["in-tx"], { prepareAs: "test_insert_dup" }));
    expect(committed).toEqual([{ id: "in-tx" }]);
    // A statement that fails to prepare is not remembered: the next call prepares it again.
    await expect(store.query("SELECT * FROM not_yet", [], { prepareAs: "test_not_yet" })).rejects.toMatchObject({
      code: "42P01",
    });
    await store.exec("CREATE TABLE not_yet (id int); INSERT INTO not_yet VALUES (7)");
    expect(await store.query("SELECT * FROM not_yet", [], { prepareAs: "test_not_yet" })).toEqual([{ id: 7 }]);
    await store.query("DELETE FROM counted");
  });

  it("prepares a statement again once its table is recreated with other columns", async () => {
    const select = "SELECT * FROM shifting";
    await store.exec("CREATE TABLE shifting (id int); INSERT INTO shifting VALUES (1)");
    expect(await store.query(select, [], { prepareAs: "test_shifting" })).toEqual([{ id: 1 }]);
    await store.exec(
      "DROP TABLE shifting; CREATE TABLE shifting (id text, note text); INSERT INTO shifting VALUES ('a', 'b')",
    );
    expect(await store.query(select, [], { prepareAs: "test_shifting" })).toEqual([{ id: "a", note: "b" }]);

    // In a transaction the failure has aborted it: the statement is forgotten, and prepared afresh on its next use.
    await store.exec("DROP TABLE shifting; CREATE TABLE shifting (n bigint); INSERT INTO shifting VALUES (3)");
    await expect(store.transaction((tx) => tx.query(select, [], { prepareAs: "test_shifting" }))).rejects.toMatchObject(
      { code: "0A000" },
    );
    const recreated = await store.transaction((tx) => tx.query(select, [], { prepareAs: "test_shifting" }));
    expect(recreated).toEqual([{ n: 3 }]);
    expect(recreated).toEqual(await store.query(select));
  });

  it("prepares a name again when it comes with another statement, and after the session deallocates it", async () => {
    expect(await store.query("SELECT 1 AS one", [], { prepareAs: "test_renamed" })).toEqual([{ one: 1 }]);
    expect(await store.query("SELECT 'two' AS two", [], { prepareAs: "test_renamed" })).toEqual([{ two: "two" }]);
    await store.exec("DEALLOCATE ALL");
    expect(await store.query("SELECT 'two' AS two", [], { prepareAs: "test_renamed" })).toEqual([{ two: "two" }]);
  });
});
