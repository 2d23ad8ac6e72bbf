import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { eventsChannel, listenForEvents } from "../../src/store/listen.js";
import { POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { postgresClient } from "../support/workers.js";

const postgresPort = Number(new URL(POSTGRES_URL).port || 5432);
const through = (port: number) => {
  const url = new URL(POSTGRES_URL);
  url.port = String(port);
  return url.toString();
};

/** Forwards to Postgres, but resets the connection that sends the first `times` LISTEN statements, mid-statement. */
async function resetListens(times: number): Promise<Server> {
  let left = times;
  const server = createServer((client) => {
    const upstream = connect(postgresPort, "127.0.0.1");
    const reset = (socket: Socket) => socket.on("error", () => socket.destroy());
    reset(client);
    reset(upstream);
    client.on("data", (chunk: Buffer) => {
      if (left > 0 && chunk.includes("LISTEN")) {
        left--;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe("the LISTEN connection (postgres)", () => {
  let direct: pg.Client;
  let stop: (() => Promise<void>) | undefined;
  let close: (() => Promise<unknown>) | undefined;
  const channel = eventsChannel(uniqueSchema());
  const listeners = async () =>
    (
      await direct.query("SELECT 1 FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()", [
        `LISTEN "${channel}"`,
      ])
    ).rowCount;
  afterEach(async () => {
    await stop?.();
    await close?.();
    await direct.end();
  });

  it("reset again and again, comes back each time, one connection only, and stop() leaves none", async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: "127.0.0.1", port: postgresPort });
    close = () => proxy.close();
    direct = await postgresClient();
    let notified = 0;
    const errors: Error[] = [];
    stop = listenForEvents(
      through(proxy.port),
      channel,
      () => notified++,
      (error) => errors.push(error),
    );

    for (let round = 0; round < 5; round++) {
      await expect.poll(listeners, { timeout: 10_000 }).toBe(1);
      const before = notified;
      await direct.query("SELECT pg_notify($1, '')", [channel]);
      await expect.poll(() => notified, { timeout: 10_000 }).toBeGreaterThan(before);
      proxy.cut();
      proxy.restore();
    }
    await expect.poll(listeners, { timeout: 10_000 }).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(5);

    await stop();
    stop = undefined;
    await expect.poll(listeners, { timeout: 10_000 }).toBe(0);
  });

  it("reset while its LISTEN runs (the error event and the failed statement both report it), reconnects once", async () => {
    const server = await resetListens(1);
    close = () => new Promise((resolve) => server.close(resolve));
    direct = await postgresClient();
    let notified = 0;
    stop = listenForEvents(
      through((server.address() as AddressInfo).port),
      channel,
      () => notified++,
      () => {},
    );
    await expect.poll(listeners, { timeout: 10_000 }).toBe(1);
    await direct.query("SELECT pg_notify($1, '')", [channel]);
    await expect.poll(() => notified, { timeout: 10_000 }).toBeGreaterThan(0);
    // Another reconnect, had one been scheduled, would have happened by now (after 1 s).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await listeners()).toBe(1);

    await stop();
    stop = undefined;
    await expect.poll(listeners, { timeout: 10_000 }).toBe(0);
  });
});
