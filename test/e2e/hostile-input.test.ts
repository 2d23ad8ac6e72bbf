import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/verify/sign.js";
import { eventBody, eventId, SECRET, signedHeaders } from "../support/events.js";
import { type DeliveryOutcome, postRaw } from "../support/load.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { type ServeProcess, startServe } from "../support/processes.js";
import { openRawClient, type RawClient, requestHead } from "../support/raw-http.js";
import { dropSchema, ENGINES, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorCode = (outcome: DeliveryOutcome) => (JSON.parse(outcome.body) as { error?: { code?: string } }).error?.code;

/** A body signed with the endpoint's secret: it passes verification and reaches the parser and the store. */
const signed = (body: string | Uint8Array) => ({
  "content-type": "application/json",
  "stripe-signature": sign(body, { secret: SECRET }),
});

describe.each(ENGINES)("hostile clients against serve on %s", (engine) => {
  const schema = uniqueSchema();
  let dataDir = "";
  let server: ServeProcess;

  beforeAll(async () => {
    dataDir = engine === "pglite" ? await migratedPgliteDir() : tempDir();
    const env = engine === "postgres" ? { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema } : {};
    // Short timeouts, set by flags, so that a slow client's 408 arrives within the test.
    const limits = ["--headers-timeout", "2", "--request-timeout", "8"];
    server = await startServe({ env, args: ["--data-dir", dataDir, ...limits] });
  });
  afterAll(async () => {
    await server?.kill();
    if (engine === "postgres") await dropSchema(schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body: string | Uint8Array, headers: Record<string, string>) => postRaw(server.url, body, headers);
  const deliverValid = async () => {
    const body = eventBody();
    const outcome = await post(body, signedHeaders(body));
    return { status: outcome.status, duplicate: (JSON.parse(outcome.body) as { duplicate?: boolean }).duplicate };
  };

  it("answers 400 to random bytes, signed or not, and to bytes that are not HTTP", async () => {
    for (let i = 0; i < 5; i++) {
      const noise = randomBytes(4096);
      const unsigned = await post(noise, { "content-type": "application/json" });
      expect(unsigned.status).toBe(400);
      expect(errorCode(unsigned)).toBe("signature_missing");
      const forged = await post(noise, {
        "stripe-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`,
      });
      expect(errorCode(forged)).toBe("signature_mismatch");
    }
    const noise = randomBytes(4096);
    const malformed = await post(noise, signed(noise));
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("payload_encoding_invalid");

    const garbage = await openRawClient(server.base);
    await garbage.write(randomBytes(8192));
    const answer = await garbage.answer.catch(() => null);
    if (answer) expect(answer.status).toBe(400);
    garbage.destroy();
    expect(server.isRunning()).toBe(true);
  });

  it("answers an oversized header section and thousands of headers without falling over", async () => {
    const huge = await openRawClient(server.base);
    await huge.write(requestHead("/webhooks/stripe", { "x-padding": "a".repeat(64 * 1024), "content-length": 0 }));
    expect([400, 431]).toContain((await huge.answer).status);
    huge.destroy();

    const many: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) many[`x-h${i}`] = "v";
    const crowded = await post(eventBody(), many).catch((error: Error) => error);
    if (!(crowded instanceof Error)) expect(crowded.status).toBeGreaterThanOrEqual(400);
    expect((await deliverValid()).status).toBe(200);
  });

  it("keeps serving others while slowloris clients trickle their headers", async () => {
    const slow: RawClient[] = await Promise.all(Array.from({ length: 20 }, () => openRawClient(server.base)));
    for (const client of slow) await client.write("POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (let round = 0; round < 5; round++) {
      for (const client of slow) await client.write(`x-slow-${round}: ${"s".repeat(10)}\r\n`).catch(() => {});
      const started = Date.now();
      expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
      expect(Date.now() - started).toBeLessThan(2_000);
      await sleep(200);
    }
    for (const client of slow) client.destroy();
  });

  it("answers 413 at once to a declared 10 MB body that never comes", async () => {
    const body = eventBody();
    const staller = await openRawClient(server.base);
    await staller.write(
      requestHead("/webhooks/stripe", { ...signedHeaders(body), "content-length": 10 * 1024 * 1024 }) +
        body.slice(0, 50),
    );
    const answer = await Promise.race([staller.answer, sleep(3_000).then(() => null)]);
    expect(answer?.status).toBe(413);
    expect(answer?.headers.toLowerCase()).toContain("connection: close");
    staller.destroy();
  });

  it("keeps serving others while a body under the limit stalls", async () => {
    const body = eventBody();
    const staller = await openRawClient(server.base);
    await staller.write(
      requestHead("/webhooks/stripe", { ...signedHeaders(body), "content-length": 500 * 1024 }) + body.slice(0, 50),
    );
    for (let i = 0; i < 5; i++) expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
    const early = await Promise.race([staller.answer.then(() => "answered"), sleep(100).then(() => "waiting")]);
    expect(early).toBe("waiting");
    staller.destroy();
  });

  it("answers 400 to a signed body that is not UTF-8", async () => {
    const text = eventBody({ type: "customer.created" });
    const bytes = Buffer.concat([
      Buffer.from(text.slice(0, 40)),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from(text.slice(40)),
    ]);
    const outcome = await post(bytes, signed(bytes));
    expect(outcome.status).toBe(400);
    expect(errorCode(outcome)).toBe("payload_encoding_invalid");
  });

  it("answers 400, never 503, to a signed body Stripe could not have sent: a byte order mark, UTF-16", async () => {
    const text = eventBody();
    const bodies = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      Buffer.from(text, "utf16le"),
    ];
    for (const body of bodies) {
      const outcome = await post(body, signed(body));
      expect({ status: outcome.status, code: errorCode(outcome) }).toEqual({
        status: 400,
        code: "payload_encoding_invalid",
      });
    }
    expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
  });

  it("answers 408 to a client that trickles its headers past the headers timeout set by flag", async () => {
    const slow = await openRawClient(server.base);
    await slow.write("POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const trickle = setInterval(() => void slow.write("x-slow: s\r\n").catch(() => {}), 250);
    const answer = await Promise.race([slow.answer, sleep(10_000).then(() => null)]).finally(() =>
      clearInterval(trickle),
    );
    expect(answer?.status).toBe(408);
    expect(answer?.body).toContain("request_timeout");
    slow.destroy();
  });

  it("answers 413 to a declared length past any integer column, and records the attempt", async () => {
    for (const length of ["9007199254740992", "18446744073709551615"]) {
      const huge = await openRawClient(server.base);
      await huge.write(
        requestHead("/webhooks/stripe", { "content-type": "application/json", "content-length": length }),
      );
      const answer = await Promise.race([huge.answer, sleep(5_000).then(() => null)]);
      expect({ length, status: answer?.status }).toEqual({ length, status: 413 });
      huge.destroy();
    }
    // A delivery committed after the rejections: on PGlite, one commit at a time, theirs are done by then.
    expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
    if (engine === "postgres") {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ body_bytes: number }>(
          `SELECT body_bytes FROM "${schema}".deliveries WHERE error_code = 'payload_too_large' ORDER BY id`,
        );
        // The last two: an earlier test's 10 MB declaration is in the log before them.
        expect(rows.slice(-2).map((row) => row.body_bytes)).toEqual([2_147_483_647, 2_147_483_647]);
      } finally {
        await client.end();
      }
    }
    expect(server.output()).not.toContain("could not record");
  });

  it("refuses JSON nested absurdly deep, and stores events nested as Stripe nests them", async () => {
    for (const depth of [600, 10_000, 200_000]) {
      const body = `{"id":"${eventId()}","object":"event","type":"customer.created","created":1700000000,"data":{"object":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
      const outcome = await post(body, signed(body));
      expect({ depth, status: outcome.status, code: errorCode(outcome) }).toEqual({
        depth,
        status: 400,
        code: "payload_not_event",
      });
    }
    const nested = (levels: number): unknown => (levels === 0 ? { id: "cus_1" } : { child: nested(levels - 1) });
    const deepButFine = eventBody({ data: { object: nested(100) } });
    const outcome = await post(deepButFine, signedHeaders(deepButFine));
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body).duplicate).toBe(false);
    expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
  });

  it("refuses a created time out of range and ids Postgres cannot store as sent", async () => {
    const refused: Array<Record<string, unknown>> = [
      { created: 1e300 },
      { created: -1 },
      { created: 8.64e15 },
      { created: "+275760-09-13T00:00:00.000Z" },
      { created: "not a date" },
      { id: `evt_${"\ud800"}lone` },
      { id: "evt_nul\u0000" },
    ];
    for (const overrides of refused) {
      const body = eventBody(overrides);
      const outcome = await post(body, signedHeaders(body));
      expect({ overrides, status: outcome.status }).toEqual({ overrides, status: 400 });
      expect(errorCode(outcome)).toBe("payload_not_event");
    }
    const farButValid = eventBody({ created: 253402300799 });
    const outcome = await post(farButValid, signedHeaders(farButValid));
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body)).toMatchObject({ id: JSON.parse(farButValid).id, duplicate: false });
  });

  it("is alive and storing after all of it", async () => {
    expect(server.isRunning()).toBe(true);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    expect(await deliverValid()).toEqual({ status: 200, duplicate: false });
    expect(server.output()).not.toMatch(/uncaught|unhandled/i);
  });
});
