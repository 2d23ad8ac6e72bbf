// npm run schema:stripe: regenerates src/devkit/emulator/schema/stripe-schema.json from the installed `stripe`
// package and prints what it holds. Commit the result; test/devkit/stripe-schema.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { buildStripeSchema, SCHEMA_FILE } from "./build.js";

const started = performance.now();
const { schema, text, skipped, unsupported } = buildStripeSchema();
writeFileSync(SCHEMA_FILE, text);
const elapsed = Math.round(performance.now() - started);

const objectTypes = Object.keys(schema.objects).length;
console.log(`stripe ${schema.source.version} (API ${schema.source.apiVersion}) -> ${SCHEMA_FILE}`);
console.log(
  `${schema.endpoints.length} v1 endpoints, ${objectTypes} object types, ${Object.keys(schema.types).length} named types`,
);
for (const [prefix, count] of skipped) console.log(`left out: ${count} requests under ${prefix} (not v1)`);
for (const [what, count] of unsupported) console.log(`read as unknown: ${what} (${count})`);
console.log(`${(text.length / 1024 / 1024).toFixed(1)} MiB in ${elapsed} ms`);
