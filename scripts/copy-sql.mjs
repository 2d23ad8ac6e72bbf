// tsc does not copy non-TypeScript files; the migrations ship beside the compiled store.
import { cpSync } from "node:fs";

cpSync(new URL("../src/store/migrations", import.meta.url), new URL("../dist/store/migrations", import.meta.url), {
  recursive: true,
});
cpSync(new URL("../src/mirror/migrations", import.meta.url), new URL("../dist/mirror/migrations", import.meta.url), {
  recursive: true,
});
