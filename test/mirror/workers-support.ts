import { expect } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { MIRROR_HANDLER_NAME } from "../../src/mirror/handler.js";
import { SECRET } from "../support/events.js";
import { dropSchema, type Engine } from "../support/stores.js";
import { deliver, openWorkerTestDb } from "../support/workers.js";

export interface MirrorWorkers {
  inboxes: Inbox[];
  mirrorSchema: string;
  inboxSchema: string;
  /** Posts each body, signed, to the inboxes in turn, `lanes` at a time. */
  deliverAll(bodies: readonly string[], lanes?: number): Promise<void>;
  /** Waits until the mirror's run of every given event has succeeded; returns the runs' attempts. */
  settled(eventIds: readonly string[]): Promise<number[]>;
  query<Row extends object>(sql: string, params?: unknown[]): Promise<Row[]>;
  stop(): Promise<void>;
}

/**
 * `count` inboxes with the mirror and in-process workers on one database (PGlite: one inbox, its data directory
 * is one process's). Each receives and runs handlers; `$mirror` and `$inbox` in queries name the schemas.
 */
export async function startMirrorWorkers(engine: Engine, count: number, concurrency: number): Promise<MirrorWorkers> {
  const db = await openWorkerTestDb(engine);
  const mirrorSchema = `${db.config.schema}_mirror`;
  const inboxes = Array.from({ length: count }, () =>
    createInbox({
      secret: SECRET,
      ...db.config,
      mirror: { schema: mirrorSchema },
      workers: { concurrency, pollMs: 20 },
    }),
  );
  // One after the other: the first applies the mirror's migrations, the others find them done.
  for (const inbox of inboxes) await inbox.start();
  const first = inboxes[0];
  if (!first) throw new Error("no inbox");
  const query = async <Row extends object>(sql: string, params?: unknown[]) =>
    (await first.store()).query<Row>(
      sql.replaceAll("$mirror", `"${mirrorSchema}"`).replaceAll("$inbox", `"${db.config.schema}"`),
      params,
    );
  return {
    inboxes,
    mirrorSchema,
    inboxSchema: db.config.schema,
    query,
    async deliverAll(bodies, lanes = 8) {
      let next = 0;
      const lane = async () => {
        while (next < bodies.length) {
          const index = next++;
          const body = bodies[index];
          const inbox = inboxes[index % inboxes.length];
          if (body !== undefined && inbox) await deliver(inbox, body);
        }
      };
      await Promise.all(Array.from({ length: Math.min(lanes, bodies.length) }, lane));
    },
    async settled(eventIds) {
      const runs = () =>
        query<{ status: string; attempts: number }>(
          "SELECT status, attempts FROM $inbox.handler_runs WHERE handler = $1 AND event_id = ANY($2::text[])",
          [MIRROR_HANDLER_NAME, eventIds],
        );
      await expect
        .poll(async () => (await runs()).filter((run) => run.status === "succeeded").length, {
          timeout: 60_000,
          interval: 25,
        })
        .toBe(eventIds.length);
      return (await runs()).map((run) => run.attempts);
    },
    async stop() {
      for (const inbox of inboxes) await inbox.stop();
      if (engine === "postgres") await dropSchema(mirrorSchema);
      await db.cleanup();
    },
  };
}
