import { readFileSync } from "node:fs";

/** The installed package's version, read from its package.json (two levels up from dist/cli/ and src/cli/). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
