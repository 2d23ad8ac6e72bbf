// One endpoint, object or type per line: the file stays a few megabytes yet a diff after a package upgrade
// shows which endpoints and types changed.
import type { StripeSchema } from "../../src/devkit/emulator/schema/types.js";

export function serializeSchema(schema: StripeSchema): string {
  const lines = ["{"];
  lines.push(`"source": ${JSON.stringify(schema.source)},`);
  lines.push(`"apiVersions": ${JSON.stringify(schema.apiVersions)},`);
  lines.push(`"endpoints": [`, joined(schema.endpoints.map((endpoint) => JSON.stringify(endpoint))), "],");
  lines.push(`"objects": {`, joined(entries(schema.objects)), "},");
  lines.push(`"types": {`, joined(entries(schema.types)), "}");
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function entries(record: Record<string, unknown>): string[] {
  return Object.entries(record).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
}

function joined(items: string[]): string {
  return items.join(",\n");
}
