import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { eventBody } from "../support/events.js";
import { ENGINES } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";
import { type DashboardServer, startDashboardServer } from "./support.js";

const TOKEN = "admin-token-for-the-input-tests-0123456789";
/** Requests per engine: a few hundred keep the file to seconds, and each run draws new ones. */
const FUZZ_RUNS = 300;

interface Sent {
  status: number;
  code: string | undefined;
  text: string;
}

/** The path and query go out as written here (already %-escaped), the body as the bytes given. */
async function send(
  base: string,
  method: string,
  path: string,
  body?: string | Uint8Array<ArrayBuffer>,
): Promise<Sent> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    // not JSON: the status says enough
  }
  return { status: response.status, code, text };
}

/** Every UTF-8 byte %-escaped, plus bytes that are no UTF-8 at all: what a path segment can carry. */
function escapeBytes(text: string, extra: number[] = []): string {
  return [...Buffer.from(text, "utf8"), ...extra].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
}

const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString("base64url");

describe.each(ENGINES)("admin API input on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let running: DashboardServer | undefined;
  afterEach(async () => {
    await running?.close();
    await db?.cleanup();
  });

  const start = async () => {
    db = await openWorkerTestDb(engine);
    running = await startDashboardServer({ ...db.config, workers: { pollMs: 20 } }, { token: TOKEN }, (inbox) => {
      inbox.on("invoice.*", async () => {}, { name: "book-revenue" });
      inbox.on(
        "invoice.paid",
        async () => {
          throw new Error("ledger down");
        },
        { name: "ledger", retry: { maxAttempts: 1 } },
      );
    });
    const bodies = [eventBody({ type: "invoice.paid" }), eventBody({ type: "customer.created" }), eventBody()];
    for (const body of bodies) await deliver(running.inbox, body);
    return { base: running.base, ids: bodies.map((body) => (JSON.parse(body) as { id: string }).id) };
  };

  it("answers 400, not 500, for NUL bytes, dates Postgres cannot hold, bad cursors and overlong values", async () => {
    const { base, ids } = await start();
    const event = ids[0] ?? "";
    const refused: Array<[method: string, path: string, body?: unknown]> = [
      ["GET", "/api/events?since=10000"],
      ["GET", "/api/events?until=%2B010000-01-01T00:00:00Z"],
      ["GET", "/api/events?since=0000-01-01"],
      ["GET", "/api/events?since=2026-02-30"],
      ["GET", "/api/events?since=1"],
      ["GET", "/api/events?q=%00"],
      ["GET", "/api/events?type=invoice.%00"],
      ["GET", "/api/events?object_id=cus_%00"],
      ["GET", "/api/events?account=acct_%00"],
      ["GET", `/api/events?q=${"x".repeat(256)}`],
      ["GET", `/api/events?cursor=${cursorOf(["10000", event])}`],
      ["GET", `/api/events?cursor=${cursorOf(["2026-02-30T00:00:00Z", event])}`],
      ["GET", `/api/events?cursor=${cursorOf(["2026-01-01T00:00:00Z", "evt_\u0000"])}`],
      ["GET", `/api/events?cursor=${cursorOf(["2026-01-01T00:00:00Z", 5])}`],
      ["GET", `/api/events?cursor=${cursorOf({ at: "2026-01-01T00:00:00Z" })}`],
      ["GET", "/api/events/evt_%00"],
      ["GET", `/api/events/${"x".repeat(256)}`],
      ["GET", "/api/events/evt_%ED%A0%80"],
      ["GET", "/api/objects/cus_%00"],
      ["POST", "/api/handlers/a%00/pause", {}],
      ["POST", "/api/handlers/book-revenue/pause", { reason: "a\u0000b" }],
      ["POST", "/api/handlers/book-revenue/pause", { reason: 5 }],
      ["POST", "/api/handlers/book-revenue/pause", { reason: "x".repeat(501) }],
      ["POST", "/api/handlers/book-revenue/pause", { reason: "ok", by: "me" }],
      ["POST", "/api/handlers/book-revenue/pause", ["reason"]],
      ["POST", "/api/handlers/book-revenue/resume", { now: true }],
      ["POST", "/api/replay", { event_id: "evt_\u0000" }],
      ["POST", "/api/replay", { type: "invoice.\u0000", dry_run: true }],
      ["POST", "/api/replay", { handler: "a\u0000", dry_run: true }],
      ["POST", "/api/replay", { since: "10000", dry_run: true }],
      ["POST", "/api/replay", { until: "+010000-01-01T00:00:00Z", dry_run: true }],
      ["POST", "/api/replay", { event_id: "x".repeat(256) }],
    ];
    for (const [method, path, body] of refused) {
      const answer = await send(base, method, path, body === undefined ? undefined : JSON.stringify(body));
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`).toBe(400);
      expect(["invalid_request", "cursor_invalid", "handler_name_invalid"]).toContain(answer.code);
    }
    // The same paths with good values still answer.
    const cursor = cursorOf(["2026-01-01T00:00:00.123456+00:00", event]);
    for (const path of [
      "/api/events?since=2026-01-31&until=9999-12-31T23:59:59Z",
      "/api/events?since=0001-01-01T00:00:00Z",
      `/api/events?cursor=${cursor}`,
      `/api/events?q=${event}`,
      `/api/events/${event}`,
    ]) {
      expect((await send(base, "GET", path)).status, path).toBe(200);
    }
    const invalidUtf8 = await send(base, "POST", "/api/replay", new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(invalidUtf8.status).toBe(400);
  });

  it("answers no 5xx to random input on any route, parameter or body, and keeps answering", async () => {
    const { base, ids } = await start();
    const cursor = (await (await send(base, "GET", "/api/events?limit=1")).text).match(/"next_cursor":"([^"]+)"/)?.[1];
    const text = fc.oneof(
      fc.constantFrom(
        ...ids,
        ...(cursor ? [cursor] : []),
        "",
        " ",
        "\u0000",
        "evt_\u0000",
        "10000",
        "2026-02-30",
        "2026-01-31",
        "2026-01-31T12:00:00Z",
        "+010000-01-01T00:00:00Z",
        "-000001-01-01T00:00:00Z",
        "0000-01-01",
        "9999-12-31T23:59:59.999999Z",
        "1",
        "-1",
        "0",
        "1e2",
        "NaN",
        "true",
        "false",
        "null",
        "*",
        "invoice.*",
        "%",
        "_",
        "\\",
        "'",
        "dead",
        "failed,dead",
        "pending",
        "no_handler",
        "book-revenue",
        "ledger",
        "\ud800",
        "x".repeat(300),
      ),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.string({ unit: "grapheme", maxLength: 10 }),
      fc.tuple(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ maxLength: 12 })).map(cursorOf),
      fc.string({ minLength: 200, maxLength: 2_000 }),
    );
    const jsonValue = fc.oneof(
      text,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(text, { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 3 }),
    );
    const segment = fc.oneof(
      text.map((value) => escapeBytes(value)),
      fc
        .tuple(text, fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 3 }))
        .map(([value, bytes]) => escapeBytes(value, bytes)),
      fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4", ".", ".."),
    );
    const params = fc.dictionary(
      fc.constantFrom("type", "status", "since", "until", "object_id", "account", "livemode", "q", "limit", "cursor"),
      text,
      { maxKeys: 5 },
    );
    const body = fc.oneof(
      fc
        .dictionary(
          fc.constantFrom(
            "event_id",
            "handler",
            "type",
            "status",
            "since",
            "until",
            "all",
            "dry_run",
            "reason",
            "other",
          ),
          jsonValue,
          { maxKeys: 5 },
        )
        .map((fields) => JSON.stringify(fields)),
      jsonValue.map((value) => JSON.stringify(value)),
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.constantFrom("", "{", "[]", "null", '"\\u0000"', '{"event_id":"\\u0000"}', '{"dry_run":"true"}'),
    );
    const request = fc.oneof(
      params.map((query) => ["GET", `/api/events?${new URLSearchParams(query)}`] as const),
      segment.map((id) => ["GET", `/api/events/${id}`] as const),
      segment.map((id) => ["GET", `/api/objects/${id}`] as const),
      body.map((json) => ["POST", "/api/replay", json] as const),
      fc
        .tuple(segment, fc.constantFrom("pause", "resume"), body)
        .map(([name, action, json]) => ["POST", `/api/handlers/${name}/${action}`, json] as const),
      fc
        .tuple(
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
          fc.constantFrom("/api/events", "/api/replay", "/api/handlers", "/api/stats", "/api/access", "/api/nothing"),
        )
        .map(([method, path]) => [method, path, method === "GET" ? undefined : "{}"] as const),
    );

    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, json]) => {
        const answer = await send(base, method, path, json);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, `${method} ${path} ${json ?? ""}: ${answer.text}`).toBeLessThan(500);
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Both kinds were reached: input that was refused, and input that was answered.
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect((await send(base, "GET", "/api/events")).status).toBe(200);
    console.log(
      `[admin fuzz ${engine}] ${FUZZ_RUNS} requests by status: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});
