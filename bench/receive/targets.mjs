// The servers under test. Each runs as its own process; the inbox targets get a store of their own
// (a fresh schema, a fresh data directory) that is removed afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const BARE_SERVER = fileURLToPath(new URL("./bare-server.mjs", import.meta.url));
const SYNC_ENGINE = fileURLToPath(new URL("./peer-sync-engine.mjs", import.meta.url));
const BENCH_SCHEMA = /^bench_receive_[a-z0-9_]+$/;

const countSql = (schema) =>
  `SELECT (SELECT count(*) FROM ${schema}.events)::int AS events, (SELECT count(*) FROM ${schema}.deliveries)::int AS deliveries`;

const newSchema = () => `bench_receive_${process.pid}_${randomBytes(4).toString("hex")}`;

/** A query function that opens a connection of its own per statement, kept apart from the servers' pools. */
const queryOn = (databaseUrl) => async (sql) => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

// Only ever a schema this run created; the server itself is shared and left as it is.
const dropSchema = async (query, schema) => {
  if (BENCH_SCHEMA.test(schema)) await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
};

const serve = (port) => [CLI, "serve", "--port", String(port)];

export const TARGETS = {
  /** node:http answering 200 without verifying or storing: the ceiling for this machine and load generator. */
  bare: async () => ({
    uniqueEvents: false,
    command: (port) => [BARE_SERVER, String(port)],
    env: {},
    readyPath: "/",
    countStored: null,
    cleanup: async () => {},
  }),

  postgres: async ({ databaseUrl }) => {
    const schema = newSchema();
    const query = queryOn(databaseUrl);
    return {
      uniqueEvents: true,
      command: serve,
      env: { DATABASE_URL: databaseUrl, STRIPE_INBOX_SCHEMA: schema },
      readyPath: "/readyz",
      countStored: async () => (await query(countSql(schema)))[0],
      // The server's backends (their last statement names the schema), whose CPU is the database's share.
      databasePids: async () =>
        (
          await query(
            `SELECT pid FROM pg_stat_activity WHERE application_name = 'stripe-inbox' AND query LIKE '%${schema}%'`,
          )
        ).map((row) => row.pid),
      cleanup: () => dropSchema(query, schema),
    };
  },

  /**
   * The peer: @supabase/stripe-sync-engine's `processWebhook` inside each request (peer-sync-engine.mjs), on the
   * same Postgres in a fresh schema migrated first. It keeps no log of events, so there is nothing to count.
   */
  "sync-engine": async ({ databaseUrl }) => {
    const schema = newSchema();
    const query = queryOn(databaseUrl);
    return {
      uniqueEvents: true,
      setup: [SYNC_ENGINE, "migrate"],
      command: (port) => [SYNC_ENGINE, "serve", String(port)],
      env: { DATABASE_URL: databaseUrl, SYNC_ENGINE_SCHEMA: schema },
      readyPath: "/readyz",
      countStored: null,
      databasePids: async () =>
        (
          await query(
            `SELECT pid FROM pg_stat_activity WHERE application_name = 'stripe-sync-engine' AND query LIKE '%${schema}%'`,
          )
        ).map((row) => row.pid),
      cleanup: () => dropSchema(query, schema),
    };
  },

  /** `serve --processes 2`: the receive path on two event loops sharing the port. */
  "postgres-2": async (config) => ({
    ...(await TARGETS.postgres(config)),
    command: (port) => [...serve(port), "--processes", "2"],
  }),

  pglite: async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stripe-inbox-bench-"));
    return {
      uniqueEvents: true,
      // Created and migrated by a process of its own first, as after any earlier start: PGlite's initdb runs
      // in-process on a fresh directory and would dominate the serving process's peak RSS.
      setup: [CLI, "migrate"],
      command: serve,
      env: { STRIPE_INBOX_DATA_DIR: dataDir },
      readyPath: "/readyz",
      // Opened only after the server has exited: a data directory belongs to one process at a time.
      countStored: async () => {
        const db = await PGlite.create(join(dataDir, "pgdata"));
        try {
          return (await db.query(countSql("stripe_inbox"))).rows[0];
        } finally {
          await db.close();
        }
      },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};
