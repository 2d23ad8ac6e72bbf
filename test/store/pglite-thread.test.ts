import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgliteStore } from "../../src/store/pglite.js";
import type { Store } from "../../src/store/store.js";
import { isStoreUnavailable } from "../../src/store/unavailable.js";
import { tempDir } from "../support/stores.js";

const OPEN_STORE = fileURLToPath(new URL("../../dist/store/pglite.js", import.meta.url));

describe("PGlite on its own thread", () => {
  const dataDir = tempDir();
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir, schema: "stripe_inbox" });
    await store.exec("CREATE TABLE things (id text PRIMARY KEY, seen timestamptz, body bytea, doc json)");
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes parameters and rows of every kind the inbox uses across the thread", async () => {
    const seen = new Date("2026-12-04T10:00:00.123Z");
    await store.query("INSERT INTO things VALUES ($1, $2, $3, $4)", [
      "a",
      seen,
      Buffer.from([0, 1, 255]),
      JSON.stringify({ n: 1 }),
    ]);
    const [row] = await store.query<{ id: string; seen: Date; body: Uint8Array; doc: unknown }>(
      "SELECT * FROM things WHERE id = 'a'",
    );
    expect(row?.seen).toEqual(seen);
    expect([...(row?.body ?? [])]).toEqual([0, 1, 255]);
    expect(row?.doc).toEqual({ n: 1 });
  });

  it("rejects a failing statement with its SQLSTATE, which does not read as the store being unavailable", async () => {
    const error = await store.query("INSERT INTO things (id) VALUES ('a')").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505" });
    expect((error as Error).message).toMatch(/duplicate key/);
    expect(isStoreUnavailable(error)).toBe(false);
  });

  it("commits a transaction whose function returns and rolls back one whose function throws", async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.query("INSERT INTO things (id) VALUES ('rolled-back')");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const committed = await store.transaction(async (tx) => {
      await tx.query("INSERT INTO things (id) VALUES ('committed')");
      return (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM things"))[0]?.n;
    });
    expect(committed).toBe(2);
    const ids = await store.query<{ id: string }>("SELECT id FROM things ORDER BY id");
    expect(ids.map((row) => row.id)).toEqual(["a", "committed"]);
  });

  it("leaves the main thread's event loop free while a statement runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await store.query("SELECT count(*) FROM generate_series(1, 3000000)");
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // On the main thread the statement would run synchronously: no tick at all while it ran.
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(0);
  });

  it("does not keep a process alive once its requests are answered, closed or not", async () => {
    const dir = tempDir();
    try {
      const script = `const { openPgliteStore } = await import(${JSON.stringify(OPEN_STORE)});
        const store = await openPgliteStore({ dataDir: ${JSON.stringify(dir)}, schema: "s" });
        console.log(JSON.stringify(await store.query("SELECT 1 AS one")));`;
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
        timeout: 30_000,
      });
      expect(JSON.parse(stdout)).toEqual([{ one: 1 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
