import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Connections forwarded so far. */
  readonly forwarded: number;
  /** Resets every open connection, both sides, and resets new ones on arrival: the database is gone. */
  cut(): void;
  /**
   * Keeps every connection, open and new, but forwards nothing either way: the database hangs, as behind a route
   * that drops packets.
   */
  blackhole(): void;
  /** Forwards new connections again (and, after a blackhole, the open ones). */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP forwarder on 127.0.0.1 that a test can cut, to take a real database away from a real client. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let isBlackholed = false;
  let forwarded = 0;
  const pairs = new Map<Socket, Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    // A reset surfaces as an error on the other end; the proxy itself must survive it.
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    if (isCut) {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    track(client);
    if (isBlackholed) return void client.pause();
    forwarded++;
    const upstream = connect(target.port, target.host);
    track(upstream);
    pairs.set(client, upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => {
      pairs.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get forwarded() {
      return forwarded;
    },
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    blackhole() {
      isBlackholed = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      isCut = false;
      if (!isBlackholed) return;
      isBlackholed = false;
      for (const [client, upstream] of pairs) {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
