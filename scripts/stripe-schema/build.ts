// Builds the schema of Stripe's v1 API from the installed `stripe` package: its endpoints, the parameters each
// accepts and the objects they answer with. v2 endpoints (`/v2/...`) are out of scope: the emulator speaks v1.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { StripeSchema } from "../../src/devkit/emulator/schema/types.js";
import { DeclarationIndex } from "./declarations.js";
import { readEndpoints } from "./endpoints.js";
import { serializeSchema } from "./serialize.js";
import { objectString, SchemaTypes } from "./type-nodes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SCHEMA_FILE = path.join(ROOT, "src/devkit/emulator/schema/stripe-schema.json");
const STRIPE_DIR = path.join(ROOT, "node_modules/stripe");

export interface BuiltSchema {
  schema: StripeSchema;
  text: string;
  /** Requests left out because they are not v1, by path prefix. */
  skipped: Map<string, number>;
  /** Type constructs with no schema node (read as `unknown`); empty when the package holds no surprise. */
  unsupported: Map<string, number>;
}

export function buildStripeSchema(): BuiltSchema {
  const esm = path.join(STRIPE_DIR, "esm");
  const resourcesDir = path.join(esm, "resources");
  const index = new DeclarationIndex(resourcesDir);
  const types = new SchemaTypes(index);
  const { endpoints, skipped } = readEndpoints(resourceFiles(resourcesDir), resourcesDir, index, types);

  // Every Stripe object the package declares, whether or not an endpoint answers with it (events carry some).
  const objects: Record<string, string> = {};
  for (const file of declarationFiles(resourcesDir)) {
    for (const entry of index.module(file).top.entries.values()) {
      const declaration = entry.type;
      if (declaration?.kind !== "interface") continue;
      const object = objectString(declaration);
      if (object === undefined || object === "list" || object === "search_result") continue;
      types.declare(declaration);
      const deleted = declaration.name.startsWith("Deleted") || declaration.name.includes(".Deleted");
      if (!deleted) objects[object] = objects[object] ?? declaration.name;
    }
  }
  types.drain();

  const packageJson = JSON.parse(readFileSync(path.join(STRIPE_DIR, "package.json"), "utf8")) as { version: string };
  const apiVersionFile = path.join(esm, "apiVersion.js");
  index.filesRead.add(apiVersionFile);
  const apiVersion = /ApiVersion = '([^']+)'/.exec(readFileSync(apiVersionFile, "utf8"))?.[1];
  if (!apiVersion) throw new Error(`no ApiVersion in ${apiVersionFile}`);
  const schema: StripeSchema = {
    source: {
      package: "stripe",
      version: packageJson.version,
      apiVersion,
      inputsHash: inputsHash([...index.filesRead]),
    },
    apiVersions: publishedApiVersions(types.types),
    endpoints,
    objects: sortedRecord(objects),
    types: sortedRecord(types.types),
  };
  return { schema, text: serializeSchema(schema), skipped, unsupported: types.unsupported };
}

/** The package lists every API version Stripe has published as the values a webhook endpoint may pin. */
function publishedApiVersions(types: StripeSchema["types"]): string[] {
  const field = types.WebhookEndpointCreateParams?.fields.api_version;
  if (typeof field !== "object" || Array.isArray(field) || !("enum" in field)) {
    throw new Error("WebhookEndpointCreateParams.api_version is no longer an enum: read the API versions elsewhere");
  }
  return field.enum.map(String);
}

function inputsHash(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of [...new Set(files)].sort()) {
    hash.update(path.relative(ROOT, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Every resource's requests, V2's included so the generator can count what it leaves out. */
function resourceFiles(dir: string): string[] {
  return walk(dir, true).filter((file) => file.endsWith(".js"));
}

/** The v1 objects' declarations; V2 types enter the schema only where a v1 type names one. */
function declarationFiles(dir: string): string[] {
  return walk(dir, false).filter((file) => file.endsWith(".d.ts") && path.basename(file) !== "index.d.ts");
}

/** Every file under resources/ but the namespace index files. */
function walk(dir: string, withV2: boolean): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (withV2 || entry.name !== "V2") files.push(...walk(full, withV2));
    } else if (entry.name !== "index.js") {
      files.push(full);
    }
  }
  return files;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
