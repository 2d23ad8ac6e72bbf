// tsc does not copy non-TypeScript files: the migrations, the trigger fixtures, the emulator's Stripe schema and the
// embedded database's thread ship beside the compiled code. It does not mark the CLI executable either, which
// `npx stripe-inbox` in this directory needs (npm marks it when it installs the package elsewhere).
import { chmodSync, cpSync } from "node:fs";

cpSync(new URL("../src/store/migrations", import.meta.url), new URL("../dist/store/migrations", import.meta.url), {
  recursive: true,
});
cpSync(new URL("../src/mirror/migrations", import.meta.url), new URL("../dist/mirror/migrations", import.meta.url), {
  recursive: true,
});
cpSync(
  new URL("../src/devkit/trigger/fixtures", import.meta.url),
  new URL("../dist/devkit/trigger/fixtures", import.meta.url),
  { recursive: true },
);
cpSync(
  new URL("../src/devkit/emulator/schema/stripe-schema.json", import.meta.url),
  new URL("../dist/devkit/emulator/schema/stripe-schema.json", import.meta.url),
);
for (const file of ["pglite-thread.mjs", "pglite-prepared.mjs"]) {
  cpSync(new URL(`../src/store/${file}`, import.meta.url), new URL(`../dist/store/${file}`, import.meta.url));
}
chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
