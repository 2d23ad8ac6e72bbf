import { afterEach, describe, expect, it } from "vitest";
import { eventBody, SECRET } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { ENGINES } from "../support/stores.js";
import { deliver, deliverAll, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";
import { call, type DashboardServer, startDashboardServer } from "./support.js";

const TOKEN = "admin-token-for-the-dashboard-tests-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const POLL_MS = 20;

interface Page {
  data: Array<{ id: string; type: string; status: string; account: string | null; livemode: boolean }>;
  next_cursor: string | null;
}

describe.each(ENGINES)("the admin API on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let running: DashboardServer | undefined;
  afterEach(async () => {
    await running?.close();
    await db?.cleanup();
  });

  const start = async (register?: Parameters<typeof startDashboardServer>[2]) => {
    db = await openWorkerTestDb(engine);
    running = await startDashboardServer({ ...db.config, workers: { pollMs: POLL_MS } }, { token: TOKEN }, register);
    return running;
  };

  it("answers 401 without the token and with a wrong one, and the events with the right one", async () => {
    const { base, inbox } = await start();
    await deliver(inbox, eventBody());
    const without = await call(`${base}/api/events`);
    expect(without.status).toBe(401);
    expect(without.json.error?.code).toBe("admin_token_required");
    expect(without.headers["www-authenticate"]).toContain("Bearer");
    const wrong = await call(`${base}/api/events`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error?.code).toBe("admin_token_invalid");
    const short = await call(`${base}/api/events`, { headers: { authorization: "Bearer a" } });
    expect(short.status).toBe(401);
    const right = await call(`${base}/api/events`, { headers: AUTH });
    expect(right.status).toBe(200);
    expect((right.json as unknown as Page).data).toHaveLength(1);
    // Replay is refused the same way, before it could change anything.
    const replay = await call(`${base}/api/replay`, { body: { status: "dead" } });
    expect(replay.status).toBe(401);
  });

  it("refuses a cross-site replay, and a replay that is not JSON, and replays nothing", async () => {
    let runs = 0;
    const { base, inbox } = await start((opened) =>
      opened.on("customer.created", () => void runs++, { name: "count-customers" }),
    );
    const body = eventBody();
    await deliver(inbox, body);
    const { id } = JSON.parse(body) as { id: string };
    await waitFor(async () => (await show(base, id)).status === "succeeded");
    for (const headers of [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://evil.example" },
      { origin: "null" },
    ]) {
      const refused = await call(`${base}/api/replay`, { headers: { ...AUTH, ...headers }, body: { event_id: id } });
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.json.error?.code).toBe("cross_site_refused");
    }
    const form = await call(`${base}/api/replay`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    await sleep(200);
    expect(runs).toBe(1);
    const sameOrigin = await call(`${base}/api/replay`, {
      headers: { ...AUTH, origin: base, "sec-fetch-site": "same-origin" },
      body: { event_id: id, all: true },
    });
    expect(sameOrigin.status).toBe(200);
    await waitFor(async () => runs === 2);
  });

  it("pages through every event once while new events arrive", async () => {
    const { base, inbox } = await start();
    const first = Array.from({ length: 25 }, () => eventBody());
    await deliverAll(inbox, first, 8);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const answer = await call(`${base}/api/events?limit=10${cursor ? `&cursor=${cursor}` : ""}`, { headers: AUTH });
      expect(answer.status).toBe(200);
      const { data, next_cursor } = answer.json as unknown as Page;
      seen.push(...data.map((event) => event.id));
      cursor = next_cursor;
      // Events arriving while someone pages land above the first page: no page shifts.
      if (page++ === 0)
        await deliverAll(
          inbox,
          Array.from({ length: 10 }, () => eventBody()),
          4,
        );
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(first.map((body) => (JSON.parse(body) as { id: string }).id)));
    const bad = await call(`${base}/api/events?cursor=not-a-cursor`, { headers: AUTH });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe("cursor_invalid");
  });

  it("filters by type wildcard, status, object, account, mode, time and search", async () => {
    const { base, inbox } = await start((opened) =>
      opened.on(
        "invoice.paid",
        async () => {
          throw new Error("ledger down");
        },
        { name: "book-revenue", retry: { maxAttempts: 1 } },
      ),
    );
    const day = 86_400;
    const now = Math.floor(Date.now() / 1000);
    const bodies = {
      paid: eventBody({ type: "invoice.paid", created: now - 3 * day }),
      created: eventBody({ type: "invoice.created", account: "acct_123", created: now - day }),
      customer: eventBody({ type: "customer.created", livemode: true }),
    };
    for (const body of Object.values(bodies)) await deliver(inbox, body);
    const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;
    const objectOf = (body: string) => (JSON.parse(body) as { data: { object: { id: string } } }).data.object.id;
    await waitFor(async () => (await show(base, idOf(bodies.paid))).status === "dead");
    const ids = async (query: string) => {
      const answer = await call(`${base}/api/events?${query}`, { headers: AUTH });
      expect(answer.status, answer.text).toBe(200);
      return (answer.json as unknown as Page).data.map((event) => event.id).sort();
    };
    const sorted = (...list: string[]) => list.map(idOf).sort();
    expect(await ids("type=invoice.*")).toEqual(sorted(bodies.paid, bodies.created));
    expect(await ids("type=invoice.paid")).toEqual(sorted(bodies.paid));
    expect(await ids("status=dead")).toEqual(sorted(bodies.paid));
    expect(await ids("status=no_handler")).toEqual(sorted(bodies.created, bodies.customer));
    expect(await ids("account=acct_123")).toEqual(sorted(bodies.created));
    expect(await ids("livemode=true")).toEqual(sorted(bodies.customer));
    expect(await ids(`object_id=${objectOf(bodies.customer)}`)).toEqual(sorted(bodies.customer));
    expect(await ids(`q=${idOf(bodies.created)}`)).toEqual(sorted(bodies.created));
    expect(await ids(`q=${objectOf(bodies.paid)}`)).toEqual(sorted(bodies.paid));
    const twoDaysAgo = new Date((now - 2 * day) * 1000).toISOString();
    expect(await ids(`since=${twoDaysAgo}`)).toEqual(sorted(bodies.created, bodies.customer));
    expect(await ids(`until=${twoDaysAgo}`)).toEqual(sorted(bodies.paid));
    const badStatus = await call(`${base}/api/events?status=weird`, { headers: AUTH });
    expect(badStatus.status).toBe(400);
  });

  it("shows an event with its deliveries and runs, and a replay through the API runs it again", async () => {
    let ledgerDown = true;
    const { base, inbox } = await start((opened) =>
      opened.on(
        "invoice.paid",
        async () => {
          if (ledgerDown) throw new Error("ledger down");
        },
        { name: "book-revenue", retry: { maxAttempts: 1 } },
      ),
    );
    const body = eventBody({ type: "invoice.paid" });
    await deliver(inbox, body);
    await deliver(inbox, body);
    const { id } = JSON.parse(body) as { id: string };
    await waitFor(async () => (await show(base, id)).status === "dead");
    const dead = await show(base, id);
    expect(dead.deliveries.map((delivery) => delivery.outcome)).toEqual(["stored", "duplicate"]);
    expect(dead.runs).toHaveLength(1);
    expect(dead.runs[0]).toMatchObject({ handler: "book-revenue", status: "dead", attempts: 1 });
    expect(dead.runs[0]?.last_error).toBe("ledger down");
    expect(dead.runs[0]?.last_error_stack).toContain("ledger down");
    expect(dead.payload).toEqual(JSON.parse(body));
    const missing = await call(`${base}/api/events/evt_missing`, { headers: AUTH });
    expect(missing.status).toBe(404);
    const malformed = await call(`${base}/api/events/evt_%ZZ`, { headers: AUTH });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error?.code).toBe("invalid_request");

    const dryRun = await call(`${base}/api/replay`, { headers: AUTH, body: { status: "dead", dry_run: true } });
    expect(dryRun.json).toEqual({
      runs: 1,
      events: 0,
      handlers: [{ handler: "book-revenue", runs: 1 }],
      dry_run: true,
    });
    expect((await show(base, id)).status).toBe("dead");
    const unknownFilter = await call(`${base}/api/replay`, { headers: AUTH, body: { account: "acct_1" } });
    expect(unknownFilter.status).toBe(400);
    const unfiltered = await call(`${base}/api/replay`, { headers: AUTH, body: {} });
    expect(unfiltered.json.error?.code).toBe("replay_unfiltered");

    ledgerDown = false;
    const replayed = await call(`${base}/api/replay`, {
      headers: AUTH,
      body: { event_id: id, handler: "book-revenue" },
    });
    expect(replayed.json).toEqual({
      runs: 1,
      events: 0,
      handlers: [{ handler: "book-revenue", runs: 1 }],
      dry_run: false,
    });
    await waitFor(async () => (await show(base, id)).status === "succeeded");
    // The first attempt stays on record: the replayed one is the second, the first of a fresh budget.
    expect((await show(base, id)).runs[0]).toMatchObject({
      status: "succeeded",
      attempts: 2,
      max_attempts: 1,
      attempts_before_replay: 1,
      replays: 1,
    });
    const missingReplay = await call(`${base}/api/replay`, { headers: AUTH, body: { event_id: "evt_missing" } });
    expect(missingReplay.status).toBe(404);
    expect(missingReplay.json.error?.code).toBe("event_not_found");
  });

  it("replays only the runs that did not succeed, unless handlers or all are named", async () => {
    const ran = { ledger: 0, email: 0 };
    let ledgerDown = true;
    const { base, inbox } = await start((opened) => {
      opened.on(
        "invoice.paid",
        async () => {
          ran.ledger++;
          if (ledgerDown) throw new Error("ledger down");
        },
        { name: "book-revenue", retry: { maxAttempts: 1 } },
      );
      opened.on("invoice.paid", async () => void ran.email++, { name: "receipt-email" });
    });
    const body = eventBody({ type: "invoice.paid" });
    await deliver(inbox, body);
    const { id } = JSON.parse(body) as { id: string };
    await waitFor(async () => (await show(base, id)).status === "dead" && ran.email === 1);
    const replay = (fields: Record<string, unknown>) => call(`${base}/api/replay`, { headers: AUTH, body: fields });

    // "true" is not a boolean: refused, and nothing replayed (it used to replay for real).
    for (const dryRun of ["true", 1, null, "false"]) {
      const refused = await replay({ event_id: id, dry_run: dryRun });
      expect(refused.status, JSON.stringify(dryRun)).toBe(400);
      expect(refused.json.error?.message).toContain("dry_run");
    }
    await sleep(POLL_MS * 10);
    expect(ran).toEqual({ ledger: 1, email: 1 });
    expect((await show(base, id)).runs.map((run) => `${run.handler} ${run.status}`)).toEqual([
      "book-revenue dead",
      "receipt-email succeeded",
    ]);

    const plan = await replay({ event_id: id, dry_run: true });
    expect(plan.json).toEqual({ runs: 1, events: 0, handlers: [{ handler: "book-revenue", runs: 1 }], dry_run: true });
    const planAll = await replay({ event_id: id, all: true, dry_run: true });
    expect(planAll.json.handlers).toEqual([
      { handler: "book-revenue", runs: 1 },
      { handler: "receipt-email", runs: 1 },
    ]);

    ledgerDown = false;
    expect((await replay({ event_id: id })).json).toMatchObject({ runs: 1 });
    await waitFor(async () => (await show(base, id)).status === "succeeded");
    await sleep(POLL_MS * 10);
    expect(ran).toEqual({ ledger: 2, email: 1 });
    // Nothing failed now: the event alone replays nothing; a named handler runs again, succeeded or not.
    expect((await replay({ event_id: id })).json).toMatchObject({ runs: 0, handlers: [] });
    expect((await replay({ event_id: id, handler: "receipt-email" })).json).toMatchObject({ runs: 1 });
    await waitFor(async () => ran.email === 2);
    expect((await replay({ event_id: id, handler: ["receipt-email", "book-revenue"] })).json).toMatchObject({
      runs: 2,
    });
    await waitFor(async () => ran.email === 3 && ran.ledger === 3);
  });

  it("type-checks every field of a replay and refuses what it does not know, replaying nothing", async () => {
    let runs = 0;
    const { base, inbox } = await start((opened) =>
      opened.on(
        "customer.created",
        async () => {
          runs++;
          throw new Error("CRM down");
        },
        { name: "sync-crm", retry: { maxAttempts: 1 } },
      ),
    );
    const body = eventBody();
    await deliver(inbox, body);
    const { id } = JSON.parse(body) as { id: string };
    await waitFor(async () => (await show(base, id)).status === "dead");
    for (const fields of [
      { event_id: 5 },
      { event_id: null, status: "dead" },
      { event_id: "", status: "dead" },
      { event_id: [id] },
      { type: { name: "customer.created" } },
      { status: "pending" },
      { status: "dead," },
      { status: ["dead"] },
      { since: "10000" },
      { since: "2026-02-30" },
      { since: 1_700_000_000 },
      { until: "yesterday", status: "dead" },
      { handler: [], status: "dead" },
      { handler: [1] },
      { handler: "" },
      { all: "yes", event_id: id },
      { all: true, status: "dead" },
      { event_id: id, account: "acct_1" },
    ]) {
      const refused = await call(`${base}/api/replay`, { headers: AUTH, body: fields });
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.json.error?.code).toBe("invalid_request");
    }
    await sleep(POLL_MS * 10);
    expect(runs).toBe(1);
    expect((await show(base, id)).runs[0]).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("pauses a handler (its events wait) and resumes it, refusing cross-site requests", async () => {
    const ran: string[] = [];
    const { base, inbox } = await start((opened) =>
      opened.on("invoice.paid", (event) => void ran.push(event.id), { name: "book-revenue" }),
    );
    const pausePath = `${base}/api/handlers/book-revenue/pause`;
    const crossSite = await call(pausePath, { headers: { ...AUTH, "sec-fetch-site": "cross-site" }, body: {} });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json.error?.code).toBe("cross_site_refused");
    expect((await call(pausePath, { headers: AUTH })).status).toBe(405);
    expect((await call(pausePath, { body: {} })).status).toBe(401);

    const paused = await call(pausePath, { headers: AUTH, body: { reason: "ledger migration" } });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.json).toMatchObject({
      handler: "book-revenue",
      already_paused: false,
      pause: { paused_by: "operator", reason: "ledger migration" },
    });
    const again = await call(pausePath, { headers: AUTH, body: {} });
    expect(again.json).toMatchObject({ already_paused: true, pause: { reason: "ledger migration" } });
    const body = eventBody({ type: "invoice.paid" });
    await deliver(inbox, body);
    await sleep(POLL_MS * 15);
    expect(ran).toEqual([]);
    const listed = await call(`${base}/api/handlers`, { headers: AUTH });
    expect(listed.json).toEqual({
      data: [{ handler: "book-revenue", paused: expect.objectContaining({ paused_by: "operator" }), waiting: 1 }],
    });

    const resumed = await call(`${base}/api/handlers/book-revenue/resume`, { headers: AUTH, body: {} });
    expect(resumed.json).toMatchObject({ handler: "book-revenue", resumed: true });
    await waitFor(async () => ran.length === 1);
    expect(ran).toEqual([(JSON.parse(body) as { id: string }).id]);
    const notPaused = await call(`${base}/api/handlers/book-revenue/resume`, { headers: AUTH, body: {} });
    expect(notPaused.json).toEqual({ handler: "book-revenue", resumed: false, pause: null });
    const badName = await call(`${base}/api/handlers/${encodeURIComponent("no spaces")}/pause`, {
      headers: AUTH,
      body: {},
    });
    expect(badName.status).toBe(400);
    expect(badName.json.error?.code).toBe("handler_name_invalid");
  });

  it("answers stats with the queue and never the webhook secret or the token", async () => {
    const { base, inbox } = await start();
    await deliver(inbox, eventBody());
    const stats = await call(`${base}/api/stats`, { headers: AUTH });
    expect(stats.status).toBe(200);
    expect(stats.json.queue).toMatchObject({ eventsAwaitingFanOut: expect.any(Number), runs: { dead: 0 } });
    const answers = await Promise.all(
      ["/api/stats", "/api/events", "/api/handlers", "/api/access", "/", "/dashboard.js", "/metrics"].map((path) =>
        call(`${base}${path}`, { headers: AUTH }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain(TOKEN);
    }
  });

  async function show(base: string, id: string) {
    const answer = await call(`${base}/api/events/${id}`, { headers: AUTH });
    expect(answer.status, answer.text).toBe(200);
    return answer.json as unknown as {
      status: string;
      payload: unknown;
      deliveries: Array<{ outcome: string }>;
      runs: Array<{
        handler: string;
        status: string;
        attempts: number;
        max_attempts: number;
        attempts_before_replay: number;
        replays: number;
        last_error: string | null;
        last_error_stack: string | null;
      }>;
    };
  }
});

describe("the admin API without a token", () => {
  let running: DashboardServer | undefined;
  afterEach(async () => {
    await running?.close();
  });

  it("is served on a loopback listener, to loopback names only", async () => {
    running = await startDashboardServer({ dataDir: await migratedPgliteDir(), workers: false });
    const access = await call(`${running.base}/api/access`);
    expect(access.status).toBe(200);
    expect(access.json).toMatchObject({ mode: "loopback_only" });
    expect((await call(`${running.base}/api/events`)).status).toBe(200);
    // A DNS-rebound attacker's name pointing at 127.0.0.1 reaches the socket, but not the API.
    const rebound = await call(`${running.base}/api/events`, { headers: { host: "evil.example:80" } });
    expect(rebound.status).toBe(403);
    expect(rebound.json.error?.code).toBe("admin_host_refused");
  });

  it("answers 403 with the reason when the server listens beyond loopback", async () => {
    running = await startDashboardServer(
      { dataDir: await migratedPgliteDir(), workers: false },
      { listenOn: "0.0.0.0" },
    );
    const refused = await call(`${running.base}/api/events`);
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe("admin_token_not_configured");
    expect(refused.json.error?.message).toContain("STRIPE_INBOX_ADMIN_TOKEN");
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await sleep(25);
  }
}
