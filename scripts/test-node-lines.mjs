// Runs the whole-process and adapter tests (test/e2e, test/http, less EXCLUDED) on each Node.js line of
// scripts/node-lines, after the full suite ran on the Node that runs npm. `npm test` ends with it. Every line runs
// even when one fails, and the script fails when any did.
import { spawnSync } from "node:child_process";
import { delimiter, dirname, join } from "node:path";
import { INSTALL_DIR, installed, LINES, PROJECT } from "./node-lines/lines.mjs";

// What depends on the runtime: HTTP serving and the adapters, streams, fetch, crypto, child processes and signals.
// The long load and chaos tests (connection resets, 10,000 events across worker processes, the rejection flood)
// exercise our own logic, the same on every line: they run once, in the full suite, to keep `npm test` short.
const TESTS = ["test/e2e", "test/http"];
const EXCLUDED = [
  "test/e2e/connection-resets.test.ts",
  "test/e2e/worker-processes.test.ts",
  "test/http/rejection-flood.test.ts",
];
const VITEST = join(PROJECT, "node_modules", "vitest", "vitest.mjs");

if (!installed()) {
  console.error(
    `Node ${LINES.map((line) => line.major).join(" and ")} are not installed in ${INSTALL_DIR}.\n` +
      "Fix: run `npm install` (its prepare step installs them from the npm registry), or `node scripts/install-node-lines.mjs`.",
  );
  process.exit(1);
}

const failed = [];
for (const line of LINES) {
  const version = (spawnSync(line.binary, ["--version"], { encoding: "utf8" }).stdout ?? "").trim();
  if (!version.startsWith(`v${line.major}.`)) {
    console.error(`${line.binary} answered "${version}", not Node ${line.major}: run \`npm install\` again.`);
    failed.push(line.name);
    continue;
  }
  console.log(`\n${line.name}: ${TESTS.join(" and ")} on Node ${version}`);
  // `node` on the PATH is this line too, for anything the tests start by name.
  const run = spawnSync(line.binary, [VITEST, "run", ...TESTS, ...EXCLUDED.flatMap((file) => ["--exclude", file])], {
    cwd: PROJECT,
    env: {
      ...process.env,
      PATH: [dirname(line.binary), process.env.PATH].join(delimiter),
      TEST_SUMMARY_LABEL: line.name,
    },
    stdio: "inherit",
  });
  if (run.status !== 0) failed.push(line.name);
}
if (failed.length > 0) {
  console.error(`\nFailed on ${failed.join(", ")}.`);
  process.exit(1);
}
