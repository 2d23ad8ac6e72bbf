// Migrates a throwaway database and dumps one schema, so a reviewer sees the whole database at a glance.
// Usage: npm run schema:dump writes schema/stripe_inbox.sql; npm run schema:dump:mirror (--mirror) writes
// schema/stripe_mirror.sql, every mirror table; with --check (the test suite) it fails when the file is stale.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { migrateMirror } from "../dist/mirror/migrate.js";
import { migrate } from "../dist/store/migrate.js";
import { openPostgresStore } from "../dist/store/postgres.js";

const SERVER = process.env.SCHEMA_DUMP_SERVER ?? "postgres://postgres@127.0.0.1:5432";
const INBOX_SCHEMA = "stripe_inbox";

// Each target migrates a store whose inbox schema is stripe_inbox, then dumps only `schema`.
const TARGETS = {
  inbox: {
    schema: INBOX_SCHEMA,
    file: "stripe_inbox.sql",
    command: "schema:dump",
    migrateInto: (store) => migrate(store),
  },
  mirror: { schema: "stripe", file: "stripe_mirror.sql", command: "schema:dump:mirror", migrateInto: migrateMirror },
};

async function dumpSchema({ schema, migrateInto }) {
  const database = `${schema}_dump_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  try {
    const store = openPostgresStore({ connectionString: `${SERVER}/${database}`, schema: INBOX_SCHEMA });
    await migrateInto(store, schema);
    await store.close();
    const dump = execFileSync(
      "pg_dump",
      [
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        `--schema=${schema}`,
        // The month partitions are named after the month the dump ran in: leave them out so the dump stays the same.
        // The first partition's bound is that month as well: see migration 0012. The default partitions stay in.
        `--exclude-table=${schema}.*_[0-9][0-9][0-9][0-9]_[0-9][0-9]`,
        `${SERVER}/${database}`,
      ],
      { encoding: "utf8" },
    );
    // Drop lines that change from run to run or machine to machine: versions and pg_dump's random restrict keys.
    return `${dump
      .split("\n")
      .filter((line) => !/^-- Dumped (from|by)|^\\(un)?restrict /.test(line))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()}\n`;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}

function readCommitted(url) {
  try {
    return readFileSync(url, "utf8");
  } catch {
    return ""; // a missing dump is as stale as an outdated one
  }
}

const target = process.argv.includes("--mirror") ? TARGETS.mirror : TARGETS.inbox;
const path = `schema/${target.file}`;
const committed = new URL(`../${path}`, import.meta.url);
const dump = await dumpSchema(target);
if (process.argv.includes("--check")) {
  if (readCommitted(committed) !== dump) {
    console.error(`${path} is out of date: run \`npm run ${target.command}\` and commit it.`);
    process.exit(1);
  }
  console.log(`${path} is current`);
} else {
  writeFileSync(committed, dump);
  console.log(`wrote ${path}`);
}
