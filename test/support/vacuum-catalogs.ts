import pg from "pg";
import { POSTGRES_URL } from "./stores.js";

/**
 * After the suite: every test file creates and drops a schema of its own, leaving dead rows in the system catalogs.
 * Where the shared server runs without autovacuum (this project's CI machine does), they pile up run after run and
 * slow every later connection and plan; vacuuming the catalogs the suite churns puts them back.
 */
export async function teardown(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await client.connect();
    await client.query(
      `VACUUM pg_catalog.pg_attribute, pg_catalog.pg_depend, pg_catalog.pg_class, pg_catalog.pg_type,
              pg_catalog.pg_index, pg_catalog.pg_constraint, pg_catalog.pg_attrdef, pg_catalog.pg_namespace,
              pg_catalog.pg_statistic, pg_catalog.pg_trigger, pg_catalog.pg_proc, pg_catalog.pg_description`,
    );
  } catch (error) {
    // Housekeeping only: a server that refuses (no privilege) or is gone must not fail the suite.
    console.warn(`could not vacuum the catalogs after the suite: ${error instanceof Error ? error.message : error}`);
  } finally {
    await client.end().catch(() => {});
  }
}
