import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBody, eventId, SECRET, signedHeaders } from "../support/events.js";
import { type RunningInbox, startInboxServer } from "../support/servers.js";
import { ENGINES, openTestStore, type TestStore } from "../support/stores.js";

describe.each(ENGINES)("the webhook endpoint on %s", (engine) => {
  let db: TestStore;
  let running: RunningInbox;

  beforeAll(async () => {
    db = await openTestStore(engine);
    // The inbox opens its own connection; PGlite allows one process-wide owner, so close the probe store first.
    await db.store.close();
    running = await startInboxServer({ ...db.config, receive: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(async () => {
    await running.close();
    await db.cleanup();
  });

  const post = (body: string, headers: Record<string, string>) => fetch(running.url, { method: "POST", headers, body });
  const count = async (sql: string, params: unknown[] = []) => {
    const store = await running.inbox.store();
    const [row] = await store.query<{ n: number }>(sql.replaceAll("$schema", `"${db.config.schema}"`), params);
    return Number(row?.n);
  };
  const eventRows = (id: string) => count("SELECT count(*) AS n FROM $schema.events WHERE id = $1", [id]);

  it("stores a signed event and answers 200 only with it committed", async () => {
    const body = eventBody();
    const { id } = JSON.parse(body);
    const response = await post(body, signedHeaders(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, id, duplicate: false });
    expect(await eventRows(id)).toBe(1);
    const store = await running.inbox.store();
    const [stored] = await store.query<{ payload: string }>(
      `SELECT payload::text AS payload FROM "${db.config.schema}".events WHERE id = $1`,
      [id],
    );
    expect(stored?.payload).toBe(body);
  });

  it("answers a redelivery with duplicate:true and keeps one event row but two delivery rows", async () => {
    const body = eventBody();
    const { id } = JSON.parse(body);
    await post(body, signedHeaders(body));
    const again = await post(body, signedHeaders(body));
    expect(await again.json()).toEqual({ received: true, id, duplicate: true });
    expect(await eventRows(id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM $schema.deliveries WHERE event_id = $1", [id])).toBe(2);
  });

  it("stores unknown event types and thin v2 events", async () => {
    const unknown = eventBody({ type: "something.new_from_stripe" });
    expect((await post(unknown, signedHeaders(unknown))).status).toBe(200);
    const thin = JSON.stringify({
      id: eventId(),
      object: "v2.core.event",
      type: "v1.billing.meter.error_report_triggered",
      created: new Date().toISOString(),
      livemode: false,
      related_object: { id: "mtr_123", type: "billing.meter", url: "/v1/billing/meters/mtr_123" },
    });
    expect((await post(thin, signedHeaders(thin))).status).toBe(200);
    expect(await eventRows(JSON.parse(thin).id)).toBe(1);
  });

  it("accepts any of several secrets during a rotation", async () => {
    const other = await openTestStore(engine);
    await other.store.close();
    const rotated = await startInboxServer({ ...other.config, secret: `whsec_old_one,${SECRET}` });
    try {
      const body = eventBody();
      const response = await fetch(rotated.url, {
        method: "POST",
        headers: signedHeaders(body, "whsec_old_one"),
        body,
      });
      expect(response.status).toBe(200);
    } finally {
      await rotated.close();
      await other.cleanup();
    }
  }, 30_000);

  const now = () => Math.floor(Date.now() / 1000);
  const badInputs: Array<[string, () => { body: string; headers: Record<string, string> }, number, string]> = [
    [
      "no signature header",
      () => ({ body: eventBody(), headers: { "content-type": "application/json" } }),
      400,
      "signature_missing",
    ],
    [
      "a header without v1",
      () => ({ body: eventBody(), headers: { "stripe-signature": `t=${now()},v0=abc` } }),
      400,
      "signature_header_malformed",
    ],
    [
      "a header without t",
      () => ({ body: eventBody(), headers: { "stripe-signature": `v1=${"a".repeat(64)}` } }),
      400,
      "signature_header_malformed",
    ],
    [
      "a signature made with another secret",
      () => {
        const body = eventBody();
        return { body, headers: signedHeaders(body, "whsec_other") };
      },
      400,
      "signature_mismatch",
    ],
    [
      "a body changed after signing",
      () => {
        const body = eventBody();
        return { body: body.replace("customer", "customex"), headers: signedHeaders(body) };
      },
      400,
      "signature_mismatch",
    ],
    [
      "a stale timestamp",
      () => {
        const body = eventBody();
        return { body, headers: signedHeaders(body, SECRET, now() - 301) };
      },
      400,
      "timestamp_outside_tolerance",
    ],
    [
      "a timestamp from the future",
      () => {
        const body = eventBody();
        return { body, headers: signedHeaders(body, SECRET, now() + 3600) };
      },
      400,
      "timestamp_outside_tolerance",
    ],
    [
      "malformed JSON",
      () => {
        const body = '{"id": "evt_1", "object": "event",';
        return { body, headers: signedHeaders(body) };
      },
      400,
      "payload_malformed",
    ],
    [
      "JSON that is not an event",
      () => {
        const body = '{"id": "cus_1", "object": "customer"}';
        return { body, headers: signedHeaders(body) };
      },
      400,
      "payload_not_event",
    ],
    [
      "a JSON array",
      () => {
        const body = "[1,2,3]";
        return { body, headers: signedHeaders(body) };
      },
      400,
      "payload_not_event",
    ],
    [
      "a body over the limit",
      () => {
        const body = eventBody({}, 70 * 1024);
        return { body, headers: signedHeaders(body) };
      },
      413,
      "payload_too_large",
    ],
  ];

  it.each(badInputs)("answers %s with its code and stores no event", async (_name, make, status, code) => {
    const { body, headers } = make();
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe(code);
    expect(answer.error.message.length).toBeGreaterThan(20);
    const id = body.match(/"id": "(evt_[^"]+)"/)?.[1];
    if (id) expect(await eventRows(id)).toBe(0);
    await expect
      .poll(() => count("SELECT count(*) AS n FROM $schema.deliveries WHERE error_code = $1", [code]))
      .toBeGreaterThan(0);
  });

  it("answers 405 to other methods and 404 elsewhere", async () => {
    const response = await fetch(running.url, { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await fetch(running.url.replace("/webhooks/stripe", "/nope"))).status).toBe(404);
  });

  it("never records the body of a rejected delivery", async () => {
    const marker = `secret-marker-${eventId()}`;
    const body = eventBody({ type: marker });
    await post(body, signedHeaders(body, "whsec_wrong"));
    await expect
      .poll(() => count("SELECT count(*) AS n FROM $schema.deliveries WHERE outcome = 'rejected'"))
      .toBeGreaterThan(0);
    const rows = await count(
      "SELECT count(*) AS n FROM $schema.deliveries d WHERE row_to_json(d)::text LIKE '%' || $1 || '%'",
      [marker],
    );
    expect(rows).toBe(0);
  });

  it("answers 100 concurrent deliveries of one event with exactly one duplicate:false", async () => {
    const body = eventBody();
    const { id } = JSON.parse(body);
    const headers = signedHeaders(body);
    const answers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const response = await post(body, headers);
        return { status: response.status, ...((await response.json()) as { duplicate: boolean }) };
      }),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(await eventRows(id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM $schema.deliveries WHERE event_id = $1", [id])).toBe(100);
    expect(
      await count("SELECT count(*) AS n FROM $schema.deliveries WHERE event_id = $1 AND outcome = 'stored'", [id]),
    ).toBe(1);
  });

  it("reports ready with migrations current", async () => {
    const response = await fetch(running.url.replace("/webhooks/stripe", "/readyz"));
    expect(response.status).toBe(200);
  });
});
