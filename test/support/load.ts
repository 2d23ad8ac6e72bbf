import { Agent, request } from "node:http";
import { eventBody, signedHeaders } from "./events.js";

export interface DeliveryOutcome {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One POST over node:http; rejects with the socket error (ECONNRESET, ECONNREFUSED, ...) when there is no answer. */
export function postRaw(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  agent?: Agent,
): Promise<DeliveryOutcome> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, ...(agent && { agent }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(20_000, () => req.destroy(new Error("client timeout")));
    req.end(body);
  });
}

export interface LoadReport {
  /** Event ids answered 200. */
  acknowledged: Set<string>;
  /** Event ids answered with another status, by status. */
  refused: Map<string, number>;
  /** Event ids that got no answer, with the error code. */
  failed: Map<string, string>;
  sent: number;
}

export interface LoadOptions {
  url: string;
  concurrency: number;
  /** The load stops when this resolves, or after `maxMs`, whichever is first. */
  stop?: Promise<unknown>;
  maxMs: number;
  maxRequests?: number;
  bodyBytes?: number;
  /** Told the number of acknowledged events after each new one. */
  onAcknowledged?: (count: number) => void;
}

/** `concurrency` clients on keep-alive connections, each posting fresh signed events back to back. */
export async function driveLoad(options: LoadOptions): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const acknowledged = new Set<string>();
  const refused = new Map<string, number>();
  const failed = new Map<string, string>();
  let stopped = false;
  let sent = 0;
  const timer = setTimeout(() => {
    stopped = true;
  }, options.maxMs);
  void options.stop?.then(() => {
    stopped = true;
  });
  const maxRequests = options.maxRequests ?? 1_000_000;
  const client = async () => {
    while (!stopped && sent < maxRequests) {
      sent++;
      const body = eventBody({}, options.bodyBytes ?? 0);
      const id = (JSON.parse(body) as { id: string }).id;
      try {
        const outcome = await postRaw(options.url, body, signedHeaders(body), agent);
        if (outcome.status === 200) {
          acknowledged.add(id);
          options.onAcknowledged?.(acknowledged.size);
        } else refused.set(id, outcome.status);
      } catch (error) {
        failed.set(id, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
        // The server is gone or going: do not spin on refused connections.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  clearTimeout(timer);
  agent.destroy();
  return {
    acknowledged,
    refused,
    failed,
    sent,
  };
}
