import { Agent } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { HealthSample } from "../../src/dashboard/health-history.js";
import { openPgliteStore } from "../../src/store/pglite.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";
import { sample } from "../dashboard/prometheus.js";
import { type DashboardServer, startDashboardServer } from "../dashboard/support.js";
import { eventBody, signedHeaders } from "../support/events.js";
import { postRaw } from "../support/load.js";
import { ENGINES, type Engine, openTestStore, POSTGRES_URL, type TestStore } from "../support/stores.js";

const FLOOD = 3000;
const VALID = 30;

/** The store the stopped inbox used, opened again to read what it left. */
async function reopen(engine: Engine, config: TestStore["config"]): Promise<Store> {
  return engine === "postgres"
    ? openPostgresStore({ connectionString: POSTGRES_URL, schema: config.schema })
    : openPgliteStore({ dataDir: config.dataDir, schema: config.schema });
}

describe.each(ENGINES)("a burst of unsigned requests on %s", (engine) => {
  let db: TestStore;
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    await db.cleanup();
  });

  it("answers each 400, counts each in /metrics and the dashboard, and adds a few rows, not one per request", async () => {
    db = await openTestStore(engine);
    // The inbox opens its own store; PGlite allows one owner of a data directory at a time.
    await db.store.close();
    server = await startDashboardServer({ ...db.config }, { sampleEveryMs: 200 });
    const url = `${server.base}/webhooks/stripe`;
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const statuses = new Map<number, number>();
    let sent = 0;
    const forger = async () => {
      while (sent < FLOOD) {
        sent++;
        const { status } = await postRaw(url, eventBody(), { "content-type": "application/json" }, agent);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    // Stripe's deliveries in the middle of the flood: acknowledged and recorded one row each, as ever.
    const stripe = async () => {
      const answers: number[] = [];
      for (let i = 0; i < VALID; i++) {
        const body = eventBody();
        answers.push((await postRaw(url, body, signedHeaders(body), agent)).status);
      }
      return answers;
    };
    const [valid] = await Promise.all([stripe(), ...Array.from({ length: 31 }, forger)]);
    agent.destroy();
    expect(valid).toEqual(Array(VALID).fill(200));
    expect(Object.fromEntries(statuses)).toEqual({ 400: FLOOD });

    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    expect(sample(metrics, "stripe_inbox_deliveries_total", { outcome: "rejected", reason: "signature_missing" })).toBe(
      FLOOD,
    );
    expect(sample(metrics, "stripe_inbox_deliveries_total", { outcome: "stored", reason: "" })).toBe(VALID);
    // The dashboard's health charts: every rejection in some sample, none twice.
    const shown = async () => {
      const stats = (await (await fetch(`${server?.base}/api/stats`)).json()) as { history: HealthSample[] };
      return stats.history.reduce((sum, point) => sum + (point.rejections.signature_missing ?? 0), 0);
    };
    await expect.poll(shown, { timeout: 10_000 }).toBe(FLOOD);

    await server.close();
    server = undefined;
    const store = await reopen(engine, db.config);
    try {
      const rows = await store.query<{ outcome: string; rows: number; attempts: number }>(
        `SELECT outcome, count(*)::int AS rows, sum(attempts)::int AS attempts
           FROM "${db.config.schema}".deliveries GROUP BY outcome ORDER BY outcome`,
      );
      const byOutcome = Object.fromEntries(rows.map((row) => [row.outcome, row]));
      expect(byOutcome.stored).toEqual({ outcome: "stored", rows: VALID, attempts: VALID });
      expect(byOutcome.rejected?.attempts).toBe(FLOOD);
      expect(byOutcome.rejected?.rows).toBeLessThanOrEqual(300);
    } finally {
      await store.close();
    }
  }, 240_000);
});
