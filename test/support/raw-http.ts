import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** A client that writes whatever bytes a test wants, when it wants: for slow, stalled and malformed requests. */
export interface RawClient {
  readonly socket: Socket;
  write(bytes: string | Uint8Array): Promise<void>;
  /** The first HTTP answer on the connection, or a rejection with the socket error or `closed without an answer`. */
  readonly answer: Promise<RawAnswer>;
  destroy(): void;
}

export async function openRawClient(base: string): Promise<RawClient> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const parse = () => {
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const headers = received.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? Number.NaN);
      const body = received.subarray(end + 4);
      if (Number.isFinite(length) && body.byteLength < length) return false;
      resolve({ status: Number(headers.split(" ")[1]), headers, body: body.toString("utf8") });
      return true;
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      parse();
    });
    socket.on("error", reject);
    socket.on("close", () => {
      if (!parse()) reject(new Error("closed without an answer"));
    });
  });
  // The answer is often awaited late, or not at all by a test that only wants the server to keep going.
  answer.catch(() => {});
  return {
    socket,
    answer,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve()))),
    destroy: () => socket.destroy(),
  };
}

/** The request line and headers of a POST, ending with the blank line. */
export function requestHead(path: string, headers: Record<string, string | number>): string {
  const lines = [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}
