// Migrates a throwaway database and dumps the inbox schema, so a reviewer sees the whole database at a glance.
// Usage: npm run schema:dump writes schema/stripe_inbox.sql; with --check (the test suite) it fails when the file is stale.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { migrate } from "../dist/store/migrate.js";
import { openPostgresStore } from "../dist/store/postgres.js";

const SERVER = process.env.SCHEMA_DUMP_SERVER ?? "postgres://postgres@127.0.0.1:5432";

async function dumpInboxSchema(schema = "stripe_inbox") {
  const database = `stripe_inbox_dump_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  try {
    const store = openPostgresStore({ connectionString: `${SERVER}/${database}`, schema });
    await migrate(store);
    await store.close();
    const dump = execFileSync(
      "pg_dump",
      ["--schema-only", "--no-owner", "--no-privileges", `--schema=${schema}`, `${SERVER}/${database}`],
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

const committed = new URL("../schema/stripe_inbox.sql", import.meta.url);
const dump = await dumpInboxSchema();
if (process.argv.includes("--check")) {
  if (readFileSync(committed, "utf8") !== dump) {
    console.error("schema/stripe_inbox.sql is out of date: run `npm run schema:dump` and commit it.");
    process.exit(1);
  }
  console.log("schema/stripe_inbox.sql is current");
} else {
  writeFileSync(committed, dump);
  console.log("wrote schema/stripe_inbox.sql");
}
