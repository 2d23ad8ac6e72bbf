// The stores the bench creates and removes: a fresh schema on the shared Postgres server (never anything else
// there), or a fresh PGlite data directory. Also finds which Postgres backends serve a given child process.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { cpuSecondsIfAlive } from "../receive/processes.mjs";

/**
 * One connection of the bench's own, named apart from the inbox's so that its CPU is never counted. Its schemas
 * are `<prefix>_<pid>_<random>`, and it drops only schemas that start so.
 */
export async function connectPostgres(databaseUrl, schemaPrefix = "bench_worker") {
  const benchSchema = new RegExp(`^${schemaPrefix}_[a-z0-9_]+$`);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "stripe-inbox-bench" });
  await client.connect();
  const query = async (sql, params) => (await client.query(sql, params)).rows;
  return {
    query,
    newSchema: () => `${schemaPrefix}_${process.pid}_${randomBytes(4).toString("hex")}`,
    async dropSchema(schema) {
      // Only ever a schema this run created; the server itself is shared and left as it is.
      if (benchSchema.test(schema)) await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
    /** CPU seconds so far of every backend, by pid: backends that connect later started from zero. */
    async backendCpu() {
      const rows = await query("SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()");
      return new Map(rows.map(({ pid }) => [pid, cpuSecondsIfAlive(pid) ?? 0]));
    },
    /** The backends at the other end of `childPid`'s connections to the server at `port`. */
    async backendsOf(childPid, port) {
      const rows = await query("SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])", [
        clientPorts(childPid, port),
      ]);
      return rows.map((row) => row.pid);
    },
    close: () => client.end(),
  };
}

/** Local ports of a process's TCP connections to `serverPort`, from /proc: its sockets' inodes in /proc/net/tcp*. */
function clientPorts(pid, serverPort) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || !inodes.has(fields[9])) continue;
      const remotePort = Number.parseInt(fields[2].split(":")[1], 16);
      if (remotePort === serverPort) ports.push(Number.parseInt(fields[1].split(":")[1], 16));
    }
  }
  return ports;
}

export function newDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "stripe-inbox-bench-worker-"));
  return { dir, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}
