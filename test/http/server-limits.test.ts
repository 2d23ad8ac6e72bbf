import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox, type InboxOptions } from "../../src/create-inbox.js";
import { ConfigError } from "../../src/errors.js";
import { createInboxServer, type InboxServer } from "../../src/http/server.js";
import type { ServerLimits } from "../../src/http/server-limits.js";
import { silentLogger } from "../../src/log.js";
import { sample } from "../dashboard/prometheus.js";
import { eventBody, SECRET } from "../support/events.js";
import { openRawClient, type RawAnswer, type RawClient, requestHead } from "../support/raw-http.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";

/** A well-formed signature that verifies nothing: the body is read, then refused. */
const FORGED = `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The error code in an answer's body, chunked or not. */
const errorCode = (answer: RawAnswer) => /"code":"([a-z_]+)"/.exec(answer.body)?.[1];

interface Running {
  base: string;
  inbox: Inbox;
  server: InboxServer;
}

describe("the server's bounds on slow and numerous clients", () => {
  const running: Running[] = [];
  const clients: RawClient[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const { server, inbox } of running.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inbox.stop();
    }
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  const start = async (limits: Partial<ServerLimits>, options: Partial<InboxOptions> = {}) => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const inbox = createInbox({ secret: SECRET, database: POSTGRES_URL, schema, ...options });
    await inbox.start();
    const server = createInboxServer({
      receive: inbox.receive,
      readiness: inbox.readiness,
      log: silentLogger,
      metrics: inbox.metrics,
      limits,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const started = { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, inbox, server };
    running.push(started);
    return started;
  };
  const connect = async (base: string) => {
    const client = await openRawClient(base);
    clients.push(client);
    return client;
  };
  const refusedCount = async (base: string, reason: string) =>
    sample(await (await fetch(`${base}/metrics`)).text(), "stripe_inbox_http_refused_total", { reason });

  it("answers 408 to a client that sends its headers too slowly", async () => {
    const { base } = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const slow = await connect(base);
    const started = Date.now();
    await slow.write("POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const trickle = setInterval(() => void slow.write("x-slow: s\r\n").catch(() => {}), 200);
    const answer = await Promise.race([slow.answer, sleep(6_000).then(() => null)]).finally(() =>
      clearInterval(trickle),
    );
    const waited = Date.now() - started;
    expect(answer?.status).toBe(408);
    expect(answer && errorCode(answer)).toBe("request_timeout");
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(await refusedCount(base, "request_timeout")).toBe(1);
  });

  it("answers 408 to a body that arrives too slowly, and keeps serving others meanwhile", async () => {
    const { base } = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const body = eventBody();
    const slow = await connect(base);
    await slow.write(
      requestHead("/webhooks/stripe", { "content-length": body.length, "stripe-signature": FORGED }) +
        body.slice(0, 20),
    );
    let sent = 20;
    const trickle = setInterval(() => void slow.write(body.slice(sent, ++sent)).catch(() => {}), 200);
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    const answer = await Promise.race([slow.answer, sleep(8_000).then(() => null)]).finally(() =>
      clearInterval(trickle),
    );
    expect(answer?.status).toBe(408);
    expect(answer && errorCode(answer)).toBe("request_timeout");
  });

  it("closes connections beyond the cap at once, and accepts again when one ends", async () => {
    const { base } = await start({ maxConnections: 3 });
    const held = await Promise.all([1, 2, 3].map(() => connect(base)));
    // A partial request on each, answered only when the test completes it: the server holds all three.
    for (const client of held) await client.write("POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const extra = await connect(base);
    await expect(extra.answer).rejects.toThrow();
    expect(held.every((client) => !client.socket.destroyed)).toBe(true);
    await held[0]?.write("content-length: 0\r\n\r\n");
    expect((await held[0]?.answer)?.status).toBe(400);

    held[1]?.destroy();
    // The server counts the connection closed once it sees the close: retry until a newcomer is served.
    await expect
      .poll(
        async () => {
          const newcomer = await connect(base);
          await newcomer.write(requestHead("/webhooks/stripe", { "content-length": 0 }));
          return (await newcomer.answer.catch(() => null))?.status ?? "closed";
        },
        { timeout: 5_000, interval: 100 },
      )
      .toBe(400);
    for (const client of held) client.destroy();
    await expect
      .poll(() => refusedCount(base, "connection_limit").catch(() => 0), { timeout: 5_000 })
      .toBeGreaterThan(0);
  });

  it("answers 503 receiver_busy with Retry-After to bodies past the unverified bound, before reading them", async () => {
    const { base } = await start({}, { receive: { maxBodyBytes: 64 * 1024, maxUnverifiedBytes: 100_000 } });
    const body = eventBody({}, 60_000);
    const first = await connect(base);
    await first.write(
      requestHead("/webhooks/stripe", { "content-length": body.length, "stripe-signature": FORGED }) +
        body.slice(0, 100),
    );
    await sleep(200);
    const second = await connect(base);
    await second.write(requestHead("/webhooks/stripe", { "content-length": body.length, "stripe-signature": FORGED }));
    const refused = await second.answer;
    expect(refused.status).toBe(503);
    expect(errorCode(refused)).toBe("receiver_busy");
    expect(refused.headers.toLowerCase()).toContain("retry-after: 1");
    expect(refused.headers.toLowerCase()).toContain("connection: close");

    // Once the first body is read and refused (forged), its bytes are free again.
    await first.write(body.slice(100));
    expect((await first.answer).status).toBe(400);
    const third = await connect(base);
    await third.write(
      requestHead("/webhooks/stripe", { "content-length": body.length, "stripe-signature": FORGED }) + body,
    );
    const answer = await third.answer;
    expect([answer.status, errorCode(answer)]).toEqual([400, "signature_mismatch"]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, "stripe_inbox_deliveries_total", { outcome: "unavailable", reason: "receiver_busy" })).toBe(
      1,
    );
  });

  it("answers a request without a signature at once, without waiting for its body", async () => {
    const { base } = await start({});
    const unsigned = await connect(base);
    await unsigned.write(requestHead("/webhooks/stripe", { "content-length": 500_000 }));
    const answer = await Promise.race([unsigned.answer, sleep(5_000).then(() => null)]);
    expect(answer?.status).toBe(400);
    expect(answer && errorCode(answer)).toBe("signature_missing");
    expect(answer?.headers.toLowerCase()).toContain("connection: close");
  });

  it("refuses a headers timeout longer than the request timeout", () => {
    const inbox = createInbox({ secret: SECRET, dataDir: "/nonexistent", workers: false });
    expect(() =>
      createInboxServer({
        receive: inbox.receive,
        readiness: inbox.readiness,
        log: silentLogger,
        limits: { headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 },
      }),
    ).toThrow(ConfigError);
  });
});
