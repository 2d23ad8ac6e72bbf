import { request } from "node:http";
import { expect, it } from "vitest";
import { eventBody, SECRET, signedHeaders } from "../../support/events.js";
import type { TestStore } from "../../support/stores.js";

/** The body limit the in-process inboxes are created with; small, so the 413 case stays cheap. */
export const BODY_LIMIT = 64 * 1024;

export interface MountedWebhook {
  /** The webhook route on 127.0.0.1. */
  url: string;
  /** The test's own connection to the schema the inbox writes to. */
  db: TestStore;
  /** The body limit the inbox behind `url` enforces. */
  limit: number;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { received?: boolean; id?: string; duplicate?: boolean; error?: { code: string; message: string } };
}

/** POSTs with exactly the given headers, none added (fetch would add a Content-Type to a string body). */
export function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) });
        } catch {
          reject(new Error(`answer ${res.statusCode} is not JSON: ${text.slice(0, 200)}`));
        }
      });
      res.on("error", reject);
    });
    // An early 413 may close the socket before the whole body is written; the answer still arrives.
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

export async function eventRows(db: TestStore, id: string): Promise<number> {
  const [row] = await db.store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${db.config.schema}".events WHERE id = $1`,
    [id],
  );
  return Number(row?.n);
}

/** A signed event whose body is `bytes` over `limit`. */
export function oversizedEvent(limit: number, bytes = 1024): string {
  return eventBody({
    data: { object: { id: "cus_big", object: "customer", metadata: { note: "x".repeat(limit + bytes) } } },
  });
}

/** The HTTP contract every adapter must keep: DESIGN.md, "HTTP contract", the webhook route. */
export function itKeepsTheWebhookContract(mounted: () => MountedWebhook): void {
  it("stores a signed event and answers 200 with duplicate:false", async () => {
    const { url, db } = mounted();
    const body = eventBody();
    const { id } = JSON.parse(body) as { id: string };
    const answer = await post(url, body, signedHeaders(body));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ received: true, id, duplicate: false });
    expect(await eventRows(db, id)).toBe(1);
  });

  it("answers a redelivery with duplicate:true and keeps one event row", async () => {
    const { url, db } = mounted();
    const body = eventBody();
    const { id } = JSON.parse(body) as { id: string };
    expect((await post(url, body, signedHeaders(body))).json.duplicate).toBe(false);
    const again = await post(url, body, signedHeaders(body));
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ received: true, id, duplicate: true });
    expect(await eventRows(db, id)).toBe(1);
  });

  it("answers a bad signature with 400 signature_mismatch and stores nothing", async () => {
    const { url, db } = mounted();
    const body = eventBody();
    const { id } = JSON.parse(body) as { id: string };
    const answer = await post(url, body, signedHeaders(body, `${SECRET}_rotated_away`));
    expect(answer.status).toBe(400);
    expect(answer.json.error?.code).toBe("signature_mismatch");
    expect(await eventRows(db, id)).toBe(0);
  });

  it("answers a body over the limit with 413 payload_too_large and stores nothing", async () => {
    const { url, db, limit } = mounted();
    const body = oversizedEvent(limit);
    const answer = await post(url, body, signedHeaders(body));
    expect(answer.status).toBe(413);
    expect(answer.json.error?.code).toBe("payload_too_large");
    expect(await eventRows(db, JSON.parse(body).id)).toBe(0);
  });

  it("answers GET with 405", async () => {
    const response = await fetch(mounted().url);
    expect(response.status).toBe(405);
  });
}
