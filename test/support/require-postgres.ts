import pg from "pg";
import { POSTGRES_URL } from "./stores.js";

/**
 * Before the suite: most files run against the shared Postgres server. Without it every one of them would fail on
 * its own (or hang, where the address drops packets); one check fails the run at once and says what to do.
 */
export async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new Error(
      [
        `The test suite needs Postgres at ${POSTGRES_URL}, which answered: ${describe(error)}.`,
        "Fix: start a Postgres server on 127.0.0.1:5432 that lets user postgres in without a password and has a",
        'database "test" (`createdb -h 127.0.0.1 -U postgres test`), or point TEST_DATABASE_URL at one that does.',
      ].join("\n"),
      { cause: error },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${code} ${error.message}` : error.message;
}
