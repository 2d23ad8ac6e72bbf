import type { StoredEndpointSummary } from "../../inbox/stored-secrets.js";
import { quoteIdent } from "../../store/migrate.js";
import { type CheckResult, ok, warn } from "./report.js";

/**
 * A secret `register` stored for an endpoint since deleted is still accepted by `serve`: whoever holds it can sign
 * events the inbox will run. Only secrets stored from this API base can be checked against its endpoints.
 */
export function storedSecretCheck(
  stored: readonly StoredEndpointSummary[],
  existing: ReadonlySet<string>,
  apiBase: string,
  schema: string,
): CheckResult {
  const check = "stored secrets";
  const here = stored.filter((row) => sameBase(row.apiBase, apiBase));
  const elsewhere = stored.length - here.length;
  const elsewhereNote = elsewhere > 0 ? `; ${elsewhere} stored from another API base, not checked here` : "";
  const orphans = here.filter((row) => !existing.has(row.endpointId));
  if (orphans.length > 0) {
    const ids = orphans.map((row) => `${row.endpointId} (${row.url})`).join(", ");
    const list = orphans.map((row) => `'${row.endpointId.replaceAll("'", "''")}'`).join(", ");
    return warn(
      check,
      `the endpoint of ${ids} no longer exists, yet serve still accepts its secret; remove it: ` +
        `DELETE FROM ${quoteIdent(schema)}.webhook_secrets WHERE endpoint_id IN (${list})${elsewhereNote}`,
    );
  }
  if (here.length === 0) return ok(check, `none stored for ${apiBase}${elsewhereNote}`);
  return ok(check, `${here.length} stored, each of an endpoint that exists${elsewhereNote}`);
}

function sameBase(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}
