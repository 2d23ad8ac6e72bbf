import { existsSync } from "node:fs";
import { join } from "node:path";
import type { InboxConfig } from "../../config.js";
import { ADMIN_TOKEN_ENV } from "../../dashboard/admin-auth.js";
import { adminClient, findRunningServer } from "../../dashboard/admin-client.js";
import { DEFAULT_THRESHOLDS } from "../../dashboard/alert-rules.js";
import { readStoreHealth, type StoreHealth } from "../../inbox/store-health.js";
import { openStore } from "../../store/open.js";
import { storeConfig } from "../options.js";
import { judgeClock } from "./clock.js";
import { type CheckResult, fail, ok, warn } from "./report.js";

export interface StoreReading {
  /** Where the facts came from, for the messages: "Postgres at host:5432/db", "the serve at http://...". */
  source: string;
  health: StoreHealth | null;
  /** Set when the store could not be read; the store line fails with it. */
  failure: string | null;
  sentAt: number;
  answeredAt: number;
}

/**
 * Reads the store without changing it (no migration). On PGlite while `serve` holds the data dir, through its admin
 * API, as `events` and `replay` do; PGlite must not be opened by two processes.
 */
export async function readStore(config: InboxConfig): Promise<StoreReading> {
  const server = config.database ? null : findRunningServer(config.dataDir);
  const source = config.database
    ? `Postgres at ${describePostgres(config.database)}`
    : server
      ? `PGlite in ${config.dataDir}, through the serve at ${server}`
      : `PGlite in ${config.dataDir}`;
  const sentAt = Date.now();
  const done = (health: StoreHealth | null, failure: string | null): StoreReading => ({
    source,
    health,
    failure,
    sentAt,
    answeredAt: Date.now(),
  });
  try {
    if (server) return done(await adminClient(server, process.env[ADMIN_TOKEN_ENV] || null).storeHealth(), null);
    // Opening an embedded database that is not there would create one: say so instead.
    if (!config.database && !existsSync(join(config.dataDir, "pgdata"))) {
      return done(
        null,
        `no database in ${config.dataDir} yet: \`stripe-inbox serve\` or \`stripe-inbox migrate\` makes it`,
      );
    }
    const store = await openStore(storeConfig(config));
    try {
      return done(await readStoreHealth(store), null);
    } finally {
      await store.close();
    }
  } catch (error) {
    return done(null, error instanceof Error ? error.message : String(error));
  }
}

/** The store line, the database clock, the backlog and the dead runs. */
export function storeChecks(reading: StoreReading, toleranceSeconds: number): CheckResult[] {
  const { health, source } = reading;
  if (!health) return [fail("store", `${source}: ${reading.failure}`)];
  const { current, latest } = health.migrations;
  const where = `${source}, schema ${health.schema}`;
  const results: CheckResult[] = [];
  if (current < latest) {
    results.push(
      fail(
        "store",
        `${where}: migrations at ${current} of ${latest}; run \`stripe-inbox migrate\` (serve applies them when it starts)`,
      ),
    );
  } else if (current > latest) {
    results.push(warn("store", `${where}: migrated to ${current}, newer than this stripe-inbox knows (${latest})`));
  } else results.push(ok("store", `${where}: reachable, migrations current (${latest})`));
  const databaseNow = new Date(health.databaseNow);
  if (!Number.isNaN(databaseNow.getTime())) {
    results.push(
      judgeClock(
        "clock (database)",
        "the database's now()",
        { remote: databaseNow, sentAt: reading.sentAt, answeredAt: reading.answeredAt, resolutionMs: 0 },
        toleranceSeconds,
      ),
    );
  }
  if (health.queue) results.push(...queueChecks(health.queue));
  return results;
}

function queueChecks(queue: NonNullable<StoreHealth["queue"]>): CheckResult[] {
  const { runs, eventsAwaitingFanOut, oldestPendingSeconds } = queue;
  const waiting = eventsAwaitingFanOut + runs.pending + runs.running + runs.failed;
  const threshold = pendingThresholdSeconds();
  const parts = [
    `${eventsAwaitingFanOut} event(s) not yet dispatched`,
    `${runs.pending} run(s) pending`,
    `${runs.running} running`,
    `${runs.failed} waiting for a retry`,
  ].join(", ");
  const backlog =
    waiting === 0
      ? ok("backlog", "nothing waiting")
      : oldestPendingSeconds > threshold
        ? warn(
            "backlog",
            `${parts}; the oldest has waited ${Math.round(oldestPendingSeconds)} s (over ${threshold} s): are workers running (\`serve --handlers\`, \`worker\`), or is a handler paused (\`stripe-inbox handlers list\`)?`,
          )
        : ok("backlog", `${parts}; the oldest has waited ${Math.round(oldestPendingSeconds)} s`);
  const dead =
    runs.dead === 0
      ? ok("dead runs", "none")
      : warn(
          "dead runs",
          `${runs.dead} run(s) gave up: \`stripe-inbox events list --status dead\` shows their events, \`stripe-inbox replay --dead\` runs them again`,
        );
  return [backlog, dead];
}

/** The alert threshold `serve` uses (STRIPE_INBOX_ALERT_PENDING_SECONDS), so doctor and alerts agree. */
function pendingThresholdSeconds(): number {
  const value = Number(process.env.STRIPE_INBOX_ALERT_PENDING_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_THRESHOLDS.oldestPendingSeconds;
}

/** host:port/database, never the password. */
function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}
