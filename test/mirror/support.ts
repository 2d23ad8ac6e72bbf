import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { migrate } from "../../src/store/migrate.js";
import type { Store } from "../../src/store/store.js";
import { signedHeaders } from "../support/events.js";
import type { ServeProcess } from "../support/processes.js";
import { dropSchema, type Engine, openTestStore } from "../support/stores.js";
import { postgresClient } from "../support/workers.js";

export const API_VERSION = "2025-10-29.clover";

export interface MirrorEventFields {
  type: string;
  object: Record<string, unknown> & { id: string; object: string };
  created: number;
  id?: string;
  account?: string;
  apiVersion?: string;
}

/** A snapshot event as Stripe sends it, around the given object. */
export function mirrorEvent(fields: MirrorEventFields): Record<string, unknown> {
  return {
    id: fields.id ?? `evt_${randomBytes(12).toString("hex")}`,
    object: "event",
    api_version: fields.apiVersion ?? API_VERSION,
    created: fields.created,
    data: { object: fields.object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: fields.type,
    ...(fields.account !== undefined && { account: fields.account }),
  };
}

export function objectId(prefix: string): string {
  return `${prefix}_${randomBytes(7).toString("hex")}`;
}

export interface MirrorTestDb {
  store: Store;
  mirrorSchema: string;
  config: { database?: string; dataDir: string; schema: string };
  /** Rows of one mirror table, by id (and account). */
  row(table: string, id: string, account?: string): Promise<MirrorRow | undefined>;
  cleanup(): Promise<void>;
}

export interface MirrorRow {
  id: string;
  account: string;
  data: Record<string, unknown>;
  deleted: boolean;
  last_event_id: string;
  api_version: string | null;
  [column: string]: unknown;
}

/** A fresh, migrated inbox schema and a mirror schema of its own beside it. */
export async function openMirrorTestDb(engine: Engine): Promise<MirrorTestDb> {
  const db = await openTestStore(engine);
  await migrate(db.store);
  const mirrorSchema = `${db.config.schema}_mirror`;
  return {
    store: db.store,
    mirrorSchema,
    config: db.config,
    async row(table, id, account = "") {
      const [found] = await db.store.query<MirrorRow>(
        `SELECT * FROM "${mirrorSchema}"."${table}" WHERE id = $1 AND account = $2`,
        [id, account],
      );
      return found;
    },
    async cleanup() {
      await db.cleanup();
      if (engine === "postgres") await dropSchema(mirrorSchema);
    },
  };
}

/** Posts a signed delivery to a `serve` process and expects it stored. */
export async function postSigned(serve: ServeProcess, body: string): Promise<void> {
  const response = await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body });
  expect(response.status).toBe(200);
}

/** A customer's `email` column in a Postgres mirror, or null while it has no row (or no table) yet. */
export async function mirroredEmail(mirrorSchema: string, id: string): Promise<string | null> {
  const client = await postgresClient();
  try {
    const found = await client
      .query<{ email: string }>(`SELECT email FROM "${mirrorSchema}".customers WHERE id = $1`, [id])
      .catch(() => ({ rows: [] }));
    return found.rows[0]?.email ?? null;
  } finally {
    await client.end();
  }
}
